"""Who may see and act on a grant: the one answer every selector, view and transition uses.

Personal assignment is recorded as django-guardian object permissions on the direct tables
(GrantUserObjectPermission / GrantGroupObjectPermission): the caseworker at routing, the hotline
caseworker who records a request, the reviewer and second approver when the case is sent to them.
A team's access follows the grant's `team` (set at routing): caseworkers see their team's cases. Coordinators see all;
finance sees grants from approval on; donors and hosts never see a grant."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from guardian.shortcuts import assign_perm

from protect.accounts.roles import Role

from .models import Grant, GrantGroupObjectPermission, GrantUserObjectPermission

FINANCE_STATUSES = (Grant.Status.APPROVED, Grant.Status.DISBURSING, Grant.Status.REPORTING, Grant.Status.CLOSED)
VIEW = "view_grant"
CHANGE = "change_grant"


def _roles(user: Any) -> frozenset[str]:
    return frozenset(user.role_names()) if user.is_authenticated else frozenset()


def team_ids_of(user: Any) -> list[int]:
    """The user's teams, read once per request: a plain list keeps the queue query index-friendly."""
    cached = getattr(user, "_protect_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("pk", flat=True))
        user._protect_team_ids = cached
    return cached


def _assigned_q(user: Any, codename: str) -> Q:
    user_grants = GrantUserObjectPermission.objects.filter(user=user, permission__codename=codename).values(
        "content_object_id"
    )
    group_grants = GrantGroupObjectPermission.objects.filter(
        group__in=user.groups.all(), permission__codename=codename
    ).values("content_object_id")
    return Q(pk__in=user_grants) | Q(pk__in=group_grants)


def grants_scope(user: Any, queryset: QuerySet[Grant]) -> QuerySet[Grant]:
    """Narrow `queryset` to what `user` may see."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    roles = _roles(user)
    if Role.COORDINATOR in roles:
        return queryset
    condition = Q(pk__in=[])
    if roles & {Role.CASEWORKER, Role.REVIEWER}:
        condition |= _assigned_q(user, VIEW)
    if Role.CASEWORKER in roles:
        condition |= Q(team_id__in=team_ids_of(user))
    if Role.FINANCE in roles:
        condition |= Q(status__in=FINANCE_STATUSES)
    if Role.PARTNER in roles:
        condition |= Q(referred_by=user)
    return queryset.filter(condition)


def can_view_grant(user: Any, grant: Grant) -> bool:
    return grants_scope(user, Grant.objects.filter(pk=grant.pk)).exists()


def can_act_on_grant(user: Any, grant: Grant) -> bool:
    """May this user change this case at all (the transition table then checks the role)."""
    if not user.is_authenticated or not user.is_active:
        return False
    roles = _roles(user)
    if Role.COORDINATOR in roles:
        return True
    if Role.FINANCE in roles and grant.status in FINANCE_STATUSES:
        return True
    mine = Q(pk__in=[])
    if roles & {Role.CASEWORKER, Role.REVIEWER}:
        mine |= _assigned_q(user, CHANGE)
    if Role.CASEWORKER in roles:
        mine |= Q(team_id__in=team_ids_of(user))
    return Grant.objects.filter(mine, pk=grant.pk).exists()


def can_see_narrative(user: Any) -> bool:
    """Finance pays; it needs payee details, not the story of what happened."""
    return bool(_roles(user) & {Role.CASEWORKER, Role.REVIEWER, Role.COORDINATOR})


def grant_access(*, grant: Grant, user: Any = None, group: Any = None) -> None:
    """Give a user or a group (a team) view and change rights on one grant."""
    for codename in (VIEW, CHANGE):
        if user is not None:
            assign_perm(f"grants.{codename}", user, grant)
        if group is not None:
            assign_perm(f"grants.{codename}", group, grant)
