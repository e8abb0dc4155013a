"""Routing a new case of any kind: team by region and language, the least-loaded caseworker,
deadlines from the kind's SLA setting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from protect.accounts.models import Team, User
from protect.accounts.permissions import has_role, is_coordinator
from protect.accounts.roles import Role
from protect.audit.services import log_event
from protect.core.errors import PermissionDenied
from protect.workflow import WorkflowError, workflow_for

from ..access import case_grant_access, case_revoke_access
from ..errors import CaseError
from ..models import Case, Notification
from ..registry import case_models
from .notifications import notify


def sla_due(model: type[Case], urgency: str, start: datetime) -> datetime:
    return start + timedelta(hours=model.sla_hours()[urgency])


def sla_near(model: type[Case], urgency: str, start: datetime) -> datetime:
    """Three quarters of the way (PROTECT_SLA_NEAR_FRACTION): when a case is escalated as near."""
    hours = model.sla_hours()[urgency] * settings.PROTECT_SLA_NEAR_FRACTION
    return start + timedelta(hours=hours)


def pick_team(case: Case) -> Team | None:
    in_region = Team.objects.filter(region=case.region).order_by("pk")
    return (
        in_region.speaking(case.language).first()
        or in_region.first()
        or Team.objects.speaking(case.language).order_by("pk").first()
        or Team.objects.order_by("pk").first()
    )


def _open_cases_of(model: type[Case]) -> Subquery:
    """Open cases of one kind assigned to the outer caseworker: an index-only count on the partial
    (caseworker, deadline) index of open cases, so it costs the caseworker's load, never the table's."""
    counted = (
        model._default_manager.filter(caseworker=OuterRef("pk"), status__in=workflow_for(model).group("open"))
        .order_by().values("caseworker").annotate(n=Count("pk")).values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def pick_caseworker(team: Team) -> User | None:
    """The team's caseworker with the fewest open cases of every kind (ties: the lowest id)."""
    load: Any = Value(0)
    for model in case_models():
        load = load + Coalesce(_open_cases_of(model), 0)
    candidates = (
        team.members.filter(is_active=True, groups__name=Role.CASEWORKER)
        .annotate(open_cases=load).order_by("open_cases", "pk")
    )
    return candidates.first()


def case_route(*, model: type[Case], case_id: int) -> Case | None:
    """Assign a submitted case to a team and caseworker. Safe to run twice: a redelivered task
    finds the case routed and changes nothing."""
    workflow = workflow_for(model)
    with transaction.atomic():
        case = model._default_manager.select_for_update().filter(pk=case_id).first()
        if case is None or case.status not in workflow.get("route").sources:
            return case  # already routed (a redelivered task), withdrawn, or gone
        team = pick_team(case)
        caseworker = pick_caseworker(team) if team is not None else None
        case = workflow.run(case, "route", by=None, team=team, caseworker=caseworker)
        if caseworker is not None:
            case_grant_access(case=case, user=caseworker)
            notify(user=caseworker, case=case, kind=Notification.Kind.ASSIGNED,
                   key=f"{case._meta.app_label}.assigned:{case.pk}:{caseworker.pk}")
    return case


def case_reassign(*, case: Case, to: User, by: Any) -> Case:
    """A coordinator gives an open case to another caseworker of its team. The previous caseworker's
    personal access goes (they keep the team's, while in the team); the new one gets theirs and is
    told. Reassigning to the current caseworker changes nothing."""
    if not is_coordinator(by):
        raise PermissionDenied("Only a coordinator reassigns a case.")
    model = type(case)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=case.pk)
        if not workflow_for(model).in_group(locked, "open"):
            raise CaseError("This case is closed: it is not reassigned.", code="closed")
        in_team = locked.team is not None and locked.team.members.filter(pk=to.pk).exists()
        if not has_role(to, Role.CASEWORKER) or not in_team:
            raise CaseError("Choose an active caseworker of the case's team.", code="caseworker", field="caseworker")
        previous = locked.caseworker
        if previous is not None and previous.pk == to.pk:
            return locked
        locked.caseworker = to
        locked.save(update_fields=["caseworker"])
        if previous is not None:
            case_revoke_access(case=locked, user=previous)
        case_grant_access(case=locked, user=to)
        log_event(f"{locked._meta.label_lower}.reassigned", actor=by, target=locked,
                  data={"from_user_id": getattr(previous, "pk", None), "to_user_id": to.pk})
        notify(user=to, case=locked, kind=Notification.Kind.ASSIGNED,
               key=f"{locked._meta.app_label}.assigned:{locked.pk}:{to.pk}")
    return locked


# --- the route transition, for every kind's table ------------------------------------------------


def route_guard(case: Case, by: Any, params: dict[str, Any]) -> None:
    if params.get("team") is None:
        raise WorkflowError("No team can take this case: create a team for its region first.", code="no_team")


def route_effect(case: Case, by: Any, params: dict[str, Any]) -> list[str]:
    case.team = params["team"]
    case.caseworker = params.get("caseworker")
    case.routed_at = timezone.now()
    return ["team", "caseworker", "routed_at"]
