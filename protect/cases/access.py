"""Who may see and act on a case, whatever its kind: the one answer selectors, pages and the engine use.

Personal assignment is recorded as django-guardian object permissions on each kind's direct tables
(`<Kind>UserObjectPermission` / `<Kind>GroupObjectPermission`): the caseworker at routing, the
hotline caseworker who records a request, a reviewer when the case is sent to them. A team's access
follows the case's `team` (set at routing). Coordinators see all; a partner sees what it referred;
a kind widens this per role through its workflow's `role_scope` (finance: grants from approval on).
Donors and hosts see no case through these rules.

Personal access is taken back when it no longer has a reason: when a case is reassigned (the
previous caseworker's), when its caseworker leaves the team (theirs, on that team's cases), and
when the case leaves the `open` group (everyone's: caseworker, hotline recorder, reviewer,
co-signer). A closed case stays visible to coordinators (all cases), to its team's caseworkers
(through the team), to finance where the kind's role_scope says so (funded grants); what each
person did stays in the audit log.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from guardian.shortcuts import remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from protect.accounts.roles import ASSIGNABLE, CASE_HANDLERS, Role
from protect.audit.services import log_event
from protect.core.sql import InIds
from protect.workflow import workflow_for

from .models import Case
from .registry import case_models

C = TypeVar("C", bound=Case)


def _roles(user: Any) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(user.role_names())


def team_ids_of(user: Any) -> list[int]:
    """The user's teams, read once per request: a plain list keeps the queue query index-friendly."""
    cached = getattr(user, "_protect_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("pk", flat=True))
        user._protect_team_ids = cached
    return cached


def _codename(model: type[models.Model], verb: str) -> str:
    return f"{verb}_{model._meta.model_name}"


def assigned_q(user: Any, model: type[Case], verb: str = "view") -> Q:
    """Cases of `model` on which `user` (or one of their groups) holds the object permission.

    Its two subqueries are compiled once per user object (a request's user), as its teams are
    read once: a queue page asks for them for its rows and for each tab's count. They hold the
    user's id, never their permissions, so they stay true while the permissions change."""
    compiled: dict[tuple[type[Case], str], Q] = user.__dict__.setdefault("_protect_assigned", {})
    found = compiled.get((model, verb))
    if found is None:
        codename = _codename(model, verb)
        user_rows = get_user_obj_perms_model(model).objects.filter(  # type: ignore[arg-type, attr-defined]
            user=user, permission__codename=codename).values("content_object_id")
        group_rows = get_group_obj_perms_model(model).objects.filter(  # type: ignore[arg-type, attr-defined]
            group__in=user.groups.all(), permission__codename=codename).values("content_object_id")
        found = compiled[(model, verb)] = Q(InIds("pk", user_rows)) | Q(InIds("pk", group_rows))
    return found


def _reaches(user: Any, model: type[Case], roles: frozenset[str], verb: str) -> list[Q]:
    """Each way `user` reaches cases of `model`: what they may see (verb "view") or change is any of them."""
    reaches = []
    if roles & ASSIGNABLE:
        reaches.append(assigned_q(user, model, verb))
    if Role.CASEWORKER in roles:
        reaches.append(team_q(user))
    reaches += [extra for role, extra in workflow_for(model).role_scope.items() if role in roles]
    if verb == "view" and Role.PARTNER in roles:
        reaches.append(Q(referred_by=user))
    return reaches


def _any(conditions: list[Q]) -> Q:
    condition = Q(pk__in=[])  # none at all: matches nothing
    for part in conditions:
        condition |= part
    return condition


def team_q(user: Any) -> Q:
    """Cases of the user's teams: one of a caseworker's reaches, and the queue's "my team's" tab."""
    return Q(team_id__in=team_ids_of(user))


def case_scope(user: Any, queryset: QuerySet[C], within: list[Q] | None = None) -> QuerySet[C]:
    """Narrow `queryset` (of any kind of case) to what `user` may see; with `within`, only the cases
    meeting any of those parts as well (a queue's tab: "my cases").

    Written so that PostgreSQL reads each list of ids once: a part of `within` that is itself one
    of the user's reaches (their permission rows, their team) implies that they may see the case,
    so it stands alone, and only the other parts are checked against the other reaches.
    visible AND (I OR P) = I OR (visible AND P) when every part of I implies visible; and a reach in
    I already admits every case it admits ANDed with P. A caseworker's "my cases" reads their
    permission rows once instead of twice; "my team's" reads none."""
    roles = _roles(user)
    if not roles:
        return queryset.none()
    if Role.COORDINATOR in roles:
        return queryset if within is None else queryset.filter(_any(within))
    reaches = _reaches(user, queryset.model, roles, "view")
    if within is None:
        return queryset.filter(_any(reaches))
    implied = [part for part in within if part in reaches]
    others = [part for part in within if part not in implied]
    condition = _any(implied)
    if others:
        condition |= _any([reach for reach in reaches if reach not in implied]) & _any(others)
    return queryset.filter(condition)


def scope_key(user: Any, *, teams: bool = False) -> tuple[Any, ...]:
    """Everything case_scope reads of `user` to write its condition: who they are, their roles, and
    their teams where a reach (or the caller, `teams`: a queue's "my team's" tab) names them. A
    selector that keeps a statement written by case_scope keys it by this, so that a change of role
    or team writes a new one. Not in it, because the statement reads them each time it runs: their
    permission rows and their groups' (subqueries by user id, assigned_q)."""
    roles = _roles(user)
    if not roles:
        return ("nobody",)
    named_teams = teams or (Role.CASEWORKER in roles and Role.COORDINATOR not in roles)
    return (user.pk, roles, tuple(team_ids_of(user)) if named_teams else None)


def can_view(user: Any, case: Case) -> bool:
    return case_scope(user, type(case)._default_manager.filter(pk=case.pk)).exists()


def can_act(user: Any, case: Case) -> bool:
    """May this user change this case at all (the workflow table then checks role and state)."""
    roles = _roles(user)
    if not roles:
        return False
    if Role.COORDINATOR in roles:
        return True
    model = type(case)
    return model._default_manager.filter(_any(_reaches(user, model, roles, "change")), pk=case.pk).exists()


def can_see_narrative(user: Any) -> bool:
    """Finance pays; it needs payee details, not the story of what happened."""
    return bool(_roles(user) & CASE_HANDLERS)


def case_grant_access(*, case: Case, user: Any = None, group: Any = None) -> None:
    """Give a user or a group (a team) view and change rights on one case: one INSERT for each, a
    right already held kept as it is (guardian's assign_perm, a look-up and a get_or_create per
    right, was a tenth of routing a case)."""
    model = type(case)
    ctype = ContentType.objects.get_for_model(model)
    permissions = list(Permission.objects.filter(
        content_type=ctype, codename__in=[_codename(model, verb) for verb in ("view", "change")]))
    tables: tuple[tuple[Any, str, Any], ...] = ((user, "user", get_user_obj_perms_model(case)),
                                                (group, "group", get_group_obj_perms_model(case)))
    for holder, field, table in tables:
        if holder is None:
            continue
        where = ({"content_type": ctype, "object_pk": str(case.pk)} if table.objects.is_generic()
                 else {"content_object": case})
        table.objects.bulk_create([table(**{field: holder, "permission": permission}, **where)
                                   for permission in permissions], ignore_conflicts=True)


def case_revoke_access(*, case: Case, user: Any = None, group: Any = None) -> None:
    """Take back what case_grant_access gave (the caller records why)."""
    label = case._meta.app_label
    for verb in ("view", "change"):
        permission = f"{label}.{_codename(type(case), verb)}"
        if user is not None:
            remove_perm(permission, user, case)
        if group is not None:
            remove_perm(permission, group, case)


def case_revoke_personal_access(case: Case, by: Any) -> None:
    """A case left the `open` group (closed, rejected, referred, withdrawn): nobody keeps a personal
    permission on it. Registered with the engine (protect/workflow.py on_leaving) by CasesConfig."""
    rows = get_user_obj_perms_model(type(case)).objects.filter(content_object=case)  # type: ignore[arg-type, attr-defined]
    users = sorted(set(rows.values_list("user_id", flat=True)))
    if users:
        rows.delete()
        log_event(f"{case._meta.label_lower}.access_revoked", actor=by, target=case,
                  data={"user_ids": users, "why": "closed"})


def cases_revoke_team_member_access(*, team: Any, user: Any, by: Any) -> int:
    """`user` left `team`: their personal permissions on that team's cases, of every kind and in
    every state, go too (those on other teams' cases have other reasons and stay)."""
    revoked = 0
    for model in case_models():
        rows = get_user_obj_perms_model(model).objects.filter(  # type: ignore[arg-type, attr-defined]
            user=user, content_object__team=team)
        cases = sorted(set(rows.values_list("content_object_id", flat=True)))
        if cases:
            rows.delete()
            revoked += len(cases)
            log_event(f"{model._meta.label_lower}.team_access_revoked", actor=by, target=team,
                      data={"user_id": user.pk, "case_ids": cases})
    return revoked


def on_team_member_removed(sender: Any, *, team: Any, user: Any, by: Any, **kwargs: Any) -> None:
    """protect.accounts.services.team_member_removed: connected by CasesConfig.ready."""
    cases_revoke_team_member_access(team=team, user=user, by=by)
