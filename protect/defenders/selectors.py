"""Reads of defenders, scoped to what the asking user may see (the one answer to "who sees this")."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from protect.accounts.permissions import is_coordinator
from protect.core.errors import NotFound

from .models import ConsentRecord, Defender, DefenderGroupObjectPermission, DefenderUserObjectPermission


def _has_object_permission(user: Any, codename: str) -> Q:
    """Exists-subqueries on guardian's direct tables: one query for the whole list, no N+1."""
    perm = {"permission__codename": codename, "permission__content_type__app_label": "defenders"}
    by_user = DefenderUserObjectPermission.objects.filter(user=user, content_object=OuterRef("pk"), **perm)
    by_group = DefenderGroupObjectPermission.objects.filter(group__user=user, content_object=OuterRef("pk"), **perm)
    return Q(Exists(by_user)) | Q(Exists(by_group))


def defenders_visible_to(
    user: Any, *, include_erased: bool = False, include_merged: bool = False, also: Q | None = None,
) -> QuerySet[Defender]:
    """Coordinators: every defender. Others: those they (or a group of theirs) may view_defender,
    or that `also` reaches (the case kernel passes "one of their cases is visible": this app knows
    no case).

    Erased and merged-away defenders are left out unless asked for: reading their encrypted fields
    raises (erased) or shows a stale copy (merged)."""
    queryset = Defender.objects.select_related("data_key")
    if not include_erased:
        queryset = queryset.filter(erased_at=None)
    if not include_merged:
        queryset = queryset.filter(merged_into=None)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if is_coordinator(user):
        return queryset
    reach = _has_object_permission(user, "view_defender")
    return queryset.filter(reach | also if also is not None else reach)


def defender_get_visible(*, user: Any, reference: str) -> Defender:
    """The defender with this reference if `user` may see it; NotFound otherwise (never 'forbidden',
    which would confirm that the reference exists)."""
    defender = defenders_visible_to(user).filter(reference=reference).first()
    if defender is None:
        raise NotFound("No such defender.")
    return defender


def user_can_change_defender(user: Any, defender: Defender) -> bool:
    if is_coordinator(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Defender.objects.filter(pk=defender.pk).filter(_has_object_permission(user, "change_defender")).exists()


DUPLICATE_INDEXES = ("name_country_index", "phone_index", "email_index")


def defender_duplicates_of(*, defender: Defender, user: Any) -> QuerySet[Defender]:
    """Other live defenders sharing a blind index with `defender` (its stored columns: nothing is
    decrypted), each annotated `visible`: may `user` see it. One query. A match the user may not
    see is to be shown only as "held elsewhere": its reference would confirm that another team
    knows this person."""
    query = Q()
    for column in DUPLICATE_INDEXES:
        if getattr(defender, column):
            query |= Q(**{column: getattr(defender, column)})
    if not query:
        return Defender.objects.none()
    visible: Any = Value(True) if is_coordinator(user) else _has_object_permission(user, "view_defender")
    return (Defender.objects.filter(query, erased_at=None, merged_into=None).exclude(pk=defender.pk)
            .only("reference", "pseudonym", *DUPLICATE_INDEXES).annotate(visible=visible).order_by("pk"))


def defender_consents(defender: Defender) -> QuerySet[ConsentRecord]:
    """A defender's consents, newest first, without their scope (encrypted: a list never reads it).
    Callers have already checked access to `defender`."""
    return defender.consents.defer("scope").order_by("-given_at", "-pk")  # type: ignore[no-any-return]
