"""Accounts reads: who may see which accounts, teams and tokens, and the API token look-up."""

from __future__ import annotations

import hmac
from functools import cache
from typing import Any, TypeVar

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, Model, Prefetch, Q, QuerySet

from protect.core.sql import column_converters, converted_row, prepared_rows

from .models import ApiToken, PartnerOrganisation, Team, User
from .permissions import is_coordinator
from .services import api_token_hash, api_token_prefix_of

M = TypeVar("M", bound=Model)


def users_for_coordination(*, viewer: Any) -> QuerySet[User]:
    """Every account, for coordinators only (others get an empty list); one query for the page:
    roles and teams come prefetched, 2FA state as an annotation."""
    if not is_coordinator(viewer):
        return User.objects.none()
    return (
        User.objects.order_by("username")
        .prefetch_related("groups", "teams")
        .annotate(totp_devices=Count("authenticatordevice", filter=Q(authenticatordevice__confirmed=True),
                                     distinct=True))
    )


def user_for_coordination(*, viewer: Any, pk: int) -> User | None:
    return users_for_coordination(viewer=viewer).filter(pk=pk).first()


def teams_visible_to(*, viewer: Any) -> QuerySet[Team]:
    """Coordinators see every team; other staff the teams they belong to."""
    if not getattr(viewer, "is_authenticated", False):
        return Team.objects.none()
    teams = Team.objects.select_related("coordinator").prefetch_related(
        Prefetch("members", queryset=User.objects.order_by("username"))
    )
    if is_coordinator(viewer):
        return teams
    return teams.filter(members=viewer)


def partner_organisations_for(*, viewer: Any) -> QuerySet[PartnerOrganisation]:
    if not is_coordinator(viewer):
        return PartnerOrganisation.objects.none()
    return PartnerOrganisation.objects.select_related("account").annotate(
        live_tokens=Count("account__api_tokens", filter=Q(account__api_tokens__revoked_at=None)))


def api_tokens_of(*, viewer: Any, user: User) -> QuerySet[ApiToken]:
    if not (is_coordinator(viewer) or getattr(viewer, "pk", None) == user.pk):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_find(raw: str) -> ApiToken | None:
    """The token a raw `pt_<prefix>_<secret>` value names, whatever its state, or None, with its
    owner and the owner's roles.

    Candidates are fetched by their public prefix and the hash compared in constant time, so the
    answer time says nothing about how much of a guessed token was right. Every API request starts
    here, so it is one hand-written query (token, owner and a row per group): composing it through
    the ORM cost more than the rest of a read."""
    prefix = api_token_prefix_of(raw)
    if prefix is None:
        return None
    wanted = api_token_hash(raw)
    token_fields, user_fields = ApiToken._meta.concrete_fields, User._meta.concrete_fields
    rows = _token_rows(prefix)
    hash_at = [f.attname for f in token_fields].index("token_hash")
    found, groups = None, set()
    for row in rows:
        if hmac.compare_digest(row[hash_at], wanted):
            found = found or row
            groups.add(row[-1])
    if found is None:
        return None
    token = _from_row(ApiToken, token_fields, found[:len(token_fields)])
    user = _from_row(User, user_fields, found[len(token_fields):-1])
    token.user = user
    user.remember_groups(name for name in groups if name)
    return token


def _token_rows(prefix: str) -> list[tuple[Any, ...]]:
    """The rows of _token_sql for a prefix, prepared once per database session: planning the
    four-table join took longer than running it, on every request."""
    return prepared_rows("protect_api_token_find", _token_sql(), [prefix])


@cache
def _token_sql() -> str:
    quote = connection.ops.quote_name
    columns = [f"t.{quote(str(f.column))}" for f in ApiToken._meta.concrete_fields]
    columns += [f"u.{quote(str(f.column))}" for f in User._meta.concrete_fields]
    memberships = User.groups.through._meta.db_table
    # Only the models' own quoted table and column names go into the text; the prefix is a parameter.
    sql = (f"SELECT {', '.join(columns)}, g.name FROM {quote(ApiToken._meta.db_table)} t "  # noqa: S608
           f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
           f"LEFT JOIN {quote(memberships)} m ON m.user_id = u.id "
           f"LEFT JOIN {quote(Group._meta.db_table)} g ON g.id = m.group_id WHERE t.prefix = %s")
    return sql


def _from_row(model: type[M], fields: Any, values: tuple[Any, ...]) -> M:
    """A model instance from raw column values, converted as the ORM converts them."""
    row = converted_row(column_converters(model, tuple(fields)), values)
    return model.from_db(connection.alias, [f.attname for f in fields], row)


def usernames_of(ids: list[str]) -> dict[str, str]:
    """User names by id (as text): the audit page names the accounts an event is about."""
    pks = [int(i) for i in ids if i.isascii() and i.isdigit()]
    return {str(pk): name for pk, name in User.objects.filter(pk__in=pks).values_list("pk", "username")}

