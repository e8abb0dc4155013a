"""Writes to defenders, contact persons and consents: one function per use case, audited.

Every function checks who asks, runs in one transaction, validates with full_clean() before
saving, and appends an audit event in the same transaction (with codes and counts, never a name).

Merging: `defender_merge_duplicates` unites the defenders' own tables (profiles, object
permissions) and carries every other row that points to the duplicate over to the defender kept
(protect/defenders/merge.py finds them through the app registry: no app registers anything).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from protect.accounts.models import Team, User
from protect.accounts.permissions import is_coordinator
from protect.accounts.roles import Role
from protect.audit.services import log_event
from protect.core.errors import InvalidInput, PermissionDenied, clean_or_refuse
from protect.crypto.blind import EMAIL, PHONE, blind_index_or_blank, name_country_index
from protect.crypto.files import delete_stored_bytes_on_commit
from protect.crypto.models import EncryptedFile
from protect.crypto.services import data_key_create, data_key_destroy
from protect.delivery.models import Delivery
from protect.delivery.services import deliveries_cancel_for_consent, delivery_email

from .errors import DefenderError
from .merge import carry_over
from .models import (
    ConsentRecord,
    ContactPerson,
    Defender,
    DefenderGroupObjectPermission,
    DefenderProfile,
    DefenderUserObjectPermission,
    Kind,
    Profile,
)
from .selectors import defender_duplicates_of, user_can_change_defender


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()




def _require_case_staff(by: Any) -> None:
    if is_coordinator(by):
        return
    if by is None or not getattr(by, "is_authenticated", False) or not by.is_active or not by.has_role(Role.CASEWORKER):
        raise PermissionDenied("Only caseworkers and coordinators can record defenders.")


def _require_can_change(by: Any, defender: Defender) -> None:
    _require_case_staff(by)
    if not user_can_change_defender(by, defender):
        raise PermissionDenied("You are not allowed to change this defender.")


def _require_coordinator(by: Any, what: str) -> None:
    if not is_coordinator(by):
        raise PermissionDenied(f"Only a coordinator can {what}.")


def _require_live(defender: Defender) -> None:
    if defender.erased_at is not None:
        raise DefenderError("This defender was erased.", code="erased")
    if defender.merged_into_id is not None:
        raise DefenderError("This defender was merged into another record.", code="merged")


def _clean_profiles(profiles: Iterable[str]) -> list[str]:
    chosen = sorted(set(profiles))
    unknown = [p for p in chosen if p not in Profile.values]
    if unknown:
        raise InvalidInput({"profiles": [f"Unknown profile(s): {', '.join(unknown)}."]})
    return chosen


def _reindex(defender: Defender) -> None:
    """Recompute the blind indexes from the (decrypted) name, country and contacts."""
    contacts = defender.contacts if isinstance(defender.contacts, dict) else {}
    defender.name_country_index = name_country_index(defender.legal_name, defender.country)
    defender.phone_index = blind_index_or_blank(PHONE, str(contacts.get("phone") or ""))
    defender.email_index = blind_index_or_blank(EMAIL, str(contacts.get("email") or ""))


def _lock(defender: Defender) -> Defender:
    return Defender.objects.select_for_update(of=("self",)).select_related("data_key").get(pk=defender.pk)


def _set_profiles(defender: Defender, profiles: list[str]) -> None:
    DefenderProfile.objects.filter(defender=defender).exclude(profile__in=profiles).delete()
    DefenderProfile.objects.bulk_create(
        [DefenderProfile(defender=defender, profile=p) for p in profiles], ignore_conflicts=True
    )


# --- defenders ---------------------------------------------------------------------------------


def defender_create(
    *,
    by: Any,
    pseudonym: str,
    legal_name: str,
    country: str,
    kind: str = Kind.PERSON,
    aliases: Iterable[str] = (),
    contacts: dict[str, Any] | None = None,
    secure_channels: dict[str, Any] | None = None,
    location: str = "",
    risk_notes: str = "",
    date_of_birth: date | None = None,
    languages: Iterable[str] = (),
    profiles: Iterable[str] = (),
    intake: bool = False,
) -> Defender:
    """Record a defender with a data key of their own; the creator may then view and change it.

    `intake=True` is for a request arriving from outside: the public form (`by=None`) or a partner's
    referral (`by` = the partner account). Nobody is given access to the defender then: access
    follows the request, once routing assigns it. The region follows the country (Defender.clean_fields)."""
    if intake:
        if by is not None and not by.has_role(Role.PARTNER):
            raise PermissionDenied("Only the public form and partners submit requests from outside.")
    else:
        _require_case_staff(by)
    chosen_profiles = _clean_profiles(profiles)
    with transaction.atomic():
        defender = Defender(
            kind=kind, pseudonym=pseudonym.strip(), legal_name=legal_name.strip(), country=country.strip().upper(),
            aliases=list(aliases), contacts=dict(contacts or {}),
            secure_channels=dict(secure_channels or {}), location=location, risk_notes=risk_notes,
            date_of_birth=date_of_birth, languages=list(languages), created_by=by,
        )
        defender.data_key = data_key_create()
        _reindex(defender)
        clean_or_refuse(defender)
        defender.save(force_insert=True)
        _set_profiles(defender, chosen_profiles)
        if not intake and not is_coordinator(by):
            assign_perm("defenders.view_defender", by, defender)
            assign_perm("defenders.change_defender", by, defender)
        log_event("defenders.defender.created", actor=by, target=defender, data={
            "reference": defender.reference, "kind": defender.kind, "country": defender.country,
            "region": defender.region, "profiles": chosen_profiles,
        })
    return defender


def defender_update(
    *,
    defender: Defender,
    by: Any,
    pseudonym: str = UNSET,
    legal_name: str = UNSET,
    aliases: list[str] = UNSET,
    contacts: dict[str, Any] = UNSET,
    secure_channels: dict[str, Any] = UNSET,
    location: str = UNSET,
    risk_notes: str = UNSET,
    date_of_birth: date | None = UNSET,
    country: str = UNSET,
    languages: list[str] = UNSET,
    profiles: Iterable[str] = UNSET,
) -> Defender:
    """Change the given fields (the others stay); blind indexes follow the name, country and contacts, and
    the region follows the country."""
    _require_can_change(by, defender)
    changes: dict[str, Any] = {
        name: value for name, value in {
            "pseudonym": pseudonym, "legal_name": legal_name, "aliases": aliases, "contacts": contacts,
            "secure_channels": secure_channels, "location": location, "risk_notes": risk_notes,
            "date_of_birth": date_of_birth, "country": country, "languages": languages,
        }.items() if value is not UNSET
    }
    if "country" in changes:
        changes["country"] = str(changes["country"]).strip().upper()
    with transaction.atomic():
        locked = _lock(defender)
        _require_live(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        _reindex(locked)
        locked.updated_at = timezone.now()
        clean_or_refuse(locked)
        index_fields = ["name_country_index", "phone_index", "email_index"]
        derived = ["region"] if "country" in changes else []
        locked.save(update_fields=[*changes, *derived, *index_fields, "updated_at"])
        changed = sorted([*changes, *derived])
        if profiles is not UNSET:
            _set_profiles(locked, _clean_profiles(profiles))
            changed.append("profiles")
        log_event("defenders.defender.updated", actor=by, target=locked, data={"fields": changed})
    return locked


def defender_find_duplicates(
    *, name: str = "", country: str = "", phone: str = "", email: str = "", exclude: Defender | None = None
) -> QuerySet[Defender]:
    """Live defenders with the same name in the same country, the same phone or the same e-mail.

    Compares blind indexes only: no plaintext is read or compared. Not scoped to the asking user on
    purpose (a person already known to another team is still a duplicate): show the match by its
    reference and pseudonym only, and let a coordinator decide."""
    indexes: dict[str, str] = {
        "name_country_index": name_country_index(name, country),
        "phone_index": blind_index_or_blank(PHONE, phone),
        "email_index": blind_index_or_blank(EMAIL, email),
    }
    query = Q()
    for column, value in indexes.items():
        if value:
            query |= Q(**{column: value})
    if not query:
        return Defender.objects.none()
    matches = Defender.objects.filter(query, erased_at=None, merged_into=None).select_related("data_key")
    if exclude is not None:
        matches = matches.exclude(pk=exclude.pk)
    return matches


def defender_merge_duplicates(*, keep: Defender, duplicate: Defender, by: Any) -> Defender:
    """Fold `duplicate` into `keep`: its name becomes an alias, its consents, contact persons,
    profiles, access rights (and, through the registered handlers, other apps' rows) move to
    `keep`. The duplicate stays, marked merged_into, without blind indexes, for the record."""
    _require_coordinator(by, "merge defenders")
    if keep.pk == duplicate.pk:
        raise DefenderError("A defender cannot be merged into itself.", code="same")
    with transaction.atomic():
        first, second = sorted([keep, duplicate], key=lambda d: d.pk)
        locked = {d.pk: _lock(d) for d in (first, second)}  # in pk order: two merges never deadlock
        keep, duplicate = locked[keep.pk], locked[duplicate.pk]
        _require_live(keep)
        _require_live(duplicate)

        known = {name.casefold() for name in [keep.legal_name, *keep.aliases]}
        for name in [duplicate.legal_name, *duplicate.aliases]:
            if name and name.casefold() not in known:
                keep.aliases = [*keep.aliases, name]
                known.add(name.casefold())
        keep.contacts = {**duplicate.contacts, **keep.contacts}
        keep.secure_channels = {**duplicate.secure_channels, **keep.secure_channels}
        if not keep.location:
            keep.location = duplicate.location
        if duplicate.risk_notes:
            keep.risk_notes = "\n\n".join(
                part for part in [keep.risk_notes, f"[from {duplicate.reference}]\n{duplicate.risk_notes}"] if part
            )
        if keep.date_of_birth is None:
            keep.date_of_birth = duplicate.date_of_birth
        keep.languages = sorted(set(keep.languages) | set(duplicate.languages))
        _reindex(keep)
        keep.updated_at = timezone.now()
        clean_or_refuse(keep)
        keep.save()

        # Every row of every app that points to the duplicate (consents, contact persons, cases of
        # every kind…), found through the app registry and re-sealed under keep's key.
        moved = carry_over(keep=keep, duplicate=duplicate)
        _set_profiles(keep, sorted(set(keep.profile_codes) | set(duplicate.profile_codes)))
        DefenderUserObjectPermission.objects.bulk_create([
            DefenderUserObjectPermission(user_id=p.user_id, permission_id=p.permission_id, content_object=keep)
            for p in DefenderUserObjectPermission.objects.filter(content_object=duplicate)
        ], ignore_conflicts=True)
        DefenderGroupObjectPermission.objects.bulk_create([
            DefenderGroupObjectPermission(group_id=p.group_id, permission_id=p.permission_id, content_object=keep)
            for p in DefenderGroupObjectPermission.objects.filter(content_object=duplicate)
        ], ignore_conflicts=True)
        duplicate.merged_into = keep
        duplicate.merged_at = timezone.now()
        duplicate.name_country_index = duplicate.phone_index = duplicate.email_index = ""
        duplicate.save(update_fields=["merged_into", "merged_at", "name_country_index", "phone_index", "email_index"])
        log_event("defenders.defender.merged", actor=by, target=keep, data={
            "duplicate": duplicate.reference, "moved": dict(sorted(moved.items())),
        })
    return keep


def defender_erase(*, defender: Defender, by: Any, reason: str) -> Defender:
    """Crypto-shred a defender: destroy the data key, so every encrypted value of the defender and
    of every row sealed under the same key (contact persons, consents, files, grants…) is gone.

    Kept for statistics: kind, country, region, profiles, dates. Cleared: blind indexes, pseudonym,
    languages. Recorded: who erased, when and why (the reason must not identify anyone). Erasing
    twice changes nothing the second time."""
    _require_coordinator(by, "erase a defender")
    reason = (reason or "").strip()
    if not reason:
        raise DefenderError("Give the reason for the erasure.", code="reason_required")
    if len(reason) > 300:
        raise DefenderError("Keep the reason under 300 characters, without identifying anyone.", code="reason_long")
    with transaction.atomic():
        locked = _lock(defender)
        if locked.erased_at is not None:
            return locked
        files = list(EncryptedFile.objects.filter(data_key=locked.data_key))
        data_key_destroy(data_key=locked.data_key)
        locked.name_country_index = locked.phone_index = locked.email_index = ""
        locked.pseudonym = f"Erased defender {locked.reference}"
        locked.languages = []
        locked.erased_at = timezone.now()
        locked.erased_by = by
        locked.erasure_reason = reason
        locked.updated_at = locked.erased_at
        # Only plaintext columns are written: the encrypted ones can no longer be read, and stay
        # as unreadable ciphertext.
        locked.save(update_fields=["name_country_index", "phone_index", "email_index", "pseudonym", "languages",
                                   "erased_at", "erased_by", "erasure_reason", "updated_at"])
        if files:
            for file in files:
                delete_stored_bytes_on_commit(file)
        log_event("defenders.defender.erased", actor=by, target=locked,
                  data={"reference": locked.reference, "files": len(files)})
    # The caller's instance must not keep serving decrypted values either.
    defender.forget_plaintext()
    defender.data_key = locked.data_key
    for name in ("name_country_index", "phone_index", "email_index", "pseudonym", "languages", "erased_at",
                 "erased_by_id", "erasure_reason", "updated_at"):
        setattr(defender, name, getattr(locked, name))
    return locked


# --- contact persons ---------------------------------------------------------------------------


def contact_person_add(
    *, defender: Defender, by: Any, name: str, role: str = "", contacts: dict[str, Any] | None = None
) -> ContactPerson:
    _require_can_change(by, defender)
    with transaction.atomic():
        locked = _lock(defender)
        _require_live(locked)
        person = ContactPerson(defender=locked, name=name.strip(), role=role.strip(), contacts=dict(contacts or {}))
        clean_or_refuse(person)
        person.save(force_insert=True)
        log_event("defenders.contact_person.added", actor=by, target=locked, data={"contact_person": person.pk})
    return person


# --- consent -----------------------------------------------------------------------------------


def consent_record(
    *,
    defender: Defender,
    by: Any,
    purpose: str,
    scope: str,
    method: str,
    given_at: datetime | None = None,
    valid_until: date | None = None,
    evidence: EncryptedFile | None = None,
) -> ConsentRecord:
    """Record a consent as given (what, for which use, how, when, until when), with optional proof."""
    _require_can_change(by, defender)
    given_at = given_at or timezone.now()
    if valid_until is not None and valid_until < given_at.date():
        raise DefenderError("The consent cannot end before it was given.", code="invalid_dates")
    with transaction.atomic():
        locked = _lock(defender)
        _require_live(locked)
        if evidence is not None and evidence.data_key_id != locked.data_key_id:
            raise DefenderError("The proof of consent must be stored under this defender.", code="wrong_owner")
        consent = ConsentRecord(defender=locked, purpose=purpose, scope=scope.strip(), method=method,
                                given_at=given_at, valid_until=valid_until, evidence=evidence, recorded_by=by)
        clean_or_refuse(consent)
        consent.save(force_insert=True)
        log_event("defenders.consent.recorded", actor=by, target=consent, data={
            "defender": locked.reference, "purpose": purpose, "method": method,
            "valid_until": valid_until.isoformat() if valid_until else None, "evidence": evidence is not None,
        })
    return consent


def consent_revoke(*, consent: ConsentRecord, by: Any) -> ConsentRecord:
    """Mark a consent revoked from now on (what was done under it before stays recorded; deliveries
    bound to it that have not left are cancelled). Revoking twice changes nothing the second time."""
    _require_can_change(by, consent.defender)
    with transaction.atomic():
        locked = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        cancelled = deliveries_cancel_for_consent(consent=locked)  # what was to go out under it never does
        log_event("defenders.consent.revoked", actor=by, target=locked,
                  data={"purpose": locked.purpose, "deliveries_cancelled": cancelled})
    consent.revoked_at, consent.revoked_by = locked.revoked_at, locked.revoked_by
    return locked


# --- access ------------------------------------------------------------------------------------


def defender_grant_access(
    *, defender: Defender, by: Any, user: Any = None, group: Any = None, can_change: bool = False
) -> None:
    """Let a user or a group (a team) view, and optionally change, a defender. Coordinators only."""
    _require_coordinator(by, "give access to a defender")
    if (user is None) == (group is None):
        raise DefenderError("Give either a user or a group.", code="invalid")
    holder = user if user is not None else group
    with transaction.atomic():
        assign_perm("defenders.view_defender", holder, defender)
        if can_change:
            assign_perm("defenders.change_defender", holder, defender)
        log_event("defenders.access.granted", actor=by, target=defender, data={
            "user": getattr(user, "pk", None), "group": getattr(group, "pk", None), "can_change": can_change,
        })


def defender_revoke_access(*, defender: Defender, by: Any, user: Any = None, group: Any = None) -> None:
    _require_coordinator(by, "take access to a defender away")
    if (user is None) == (group is None):
        raise DefenderError("Give either a user or a group.", code="invalid")
    holder = user if user is not None else group
    with transaction.atomic():
        remove_perm("defenders.view_defender", holder, defender)
        remove_perm("defenders.change_defender", holder, defender)
        log_event("defenders.access.revoked", actor=by, target=defender, data={
            "user": getattr(user, "pk", None), "group": getattr(group, "pk", None),
        })



def defenders_reindex(*, batch_size: int = 500) -> int:
    """Recompute every live defender's blind indexes under the current PROTECT_BLIND_INDEX_KEY.

    Run after changing that key (duplicate detection finds nothing until then). Batch by batch,
    each committed, so it can be interrupted and run again. Erased defenders have no index."""
    done = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                Defender.objects.select_for_update(of=("self",)).select_related("data_key")
                .filter(pk__gt=last_pk, erased_at__isnull=True).order_by("pk")[:batch_size]
            )
            if not batch:
                break
            for defender in batch:
                _reindex(defender)
                defender.save(update_fields=["name_country_index", "phone_index", "email_index"])
            last_pk = batch[-1].pk
            done += len(batch)
    with transaction.atomic():
        log_event("defenders.indexes.rebuilt", actor=None, data={"defenders": done})
    return done


@dataclass(frozen=True)
class PossibleDuplicates:
    """What a case page may show of the defender's possible duplicates: those the user may see
    (reference, pseudonym, why), and how many others are held where the user has no access."""

    shown: list[dict[str, Any]]
    held_elsewhere: int


def defender_possible_duplicates(*, defender: Defender, user: Any, team: Team | None = None) -> PossibleDuplicates:
    """Other live defenders with the same name and country, phone or e-mail (blind indexes only).

    A match the user may not see is never named to them (its reference would confirm that another
    team holds this person): the page says one is held elsewhere, and a coordinator (of `team`,
    the case's, else the first active one) is told once per pair, by references only."""
    shown: list[dict[str, Any]] = []
    hidden: list[Defender] = []
    for match in defender_duplicates_of(defender=defender, user=user):
        if not match.visible:  # type: ignore[attr-defined]
            hidden.append(match)
            continue
        why = [label for column, label in (
            ("name_country_index", _("same name and country")), ("phone_index", _("same phone")),
            ("email_index", _("same e-mail")),
        ) if getattr(defender, column) and getattr(match, column) == getattr(defender, column)]
        shown.append({"reference": match.reference, "pseudonym": match.pseudonym, "why": why})
    for match in hidden:
        _tell_coordinator_of_duplicate(defender=defender, match=match, team=team)
    return PossibleDuplicates(shown=shown, held_elsewhere=len(hidden))


def _tell_coordinator_of_duplicate(*, defender: Defender, match: Defender, team: Team | None) -> None:
    low, high = sorted((defender, match), key=lambda d: d.pk)
    key = f"defenders.duplicate_elsewhere:{low.pk}:{high.pk}"
    if Delivery.objects.filter(key=key).exists():
        return  # told already: once per pair, however often the page is opened
    coordinator = team.coordinator if team is not None and team.coordinator_id is not None else None
    if coordinator is None or not coordinator.is_active:
        coordinator = (User.objects.filter(is_active=True, groups__name=Role.COORDINATOR).order_by("pk").first())
    if coordinator is None:
        return
    with transaction.atomic():
        delivery = delivery_email(
            key=key, to=coordinator.email, subject=f"Possible duplicate defenders {low.reference} and {high.reference}",
            body=(f"Defenders {low.reference} and {high.reference} share a name and country, a phone or an e-mail, "
                  "and are held by different teams. Check them in Protect and merge them if they are one person.\n"),
        )
        if delivery is not None:
            log_event("defenders.duplicate.flagged", actor=None, target=low,
                      data={"defenders": [low.reference, high.reference], "coordinator_id": coordinator.pk})
