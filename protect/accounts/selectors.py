"""Accounts reads: who may see which accounts, teams and tokens, and the API token look-up."""

from __future__ import annotations

import hmac
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import ApiToken, PartnerOrganisation, Team, User
from .permissions import is_coordinator
from .services import api_token_hash, api_token_prefix_of


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
    """The token a raw `pt_<prefix>_<secret>` value names, whatever its state, or None.

    Candidates are fetched by their public prefix and the hash compared in constant time, so the
    answer time says nothing about how much of a guessed token was right."""
    prefix = api_token_prefix_of(raw)
    if prefix is None:
        return None
    wanted = api_token_hash(raw)
    found = None
    for token in ApiToken.objects.select_related("user").filter(prefix=prefix):
        if hmac.compare_digest(token.token_hash, wanted):
            found = token
    return found
