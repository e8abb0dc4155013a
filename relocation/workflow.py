"""The relocation state machine: its steps, guards and status groups. The engine is
protect/workflow.py; the routing step is the kernel's.

requested → assessing → host_matching → preparing (visa, travel) → in_residence → ended, with
`extended` (a new end date; a coordinator's once the total passes 12 months) and `cancelled` (any
time before in_residence, with a reason).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from protect.accounts.permissions import has_role
from protect.accounts.roles import CASE_HANDLERS, INTAKE, Role
from protect.cases.access import can_act
from protect.cases.rules import when_has_status_page, when_readable
from protect.cases.services.routing import route_effect, route_guard
from protect.workflow import SYSTEM, Workflow, WorkflowError, action, transition

from .models import (
    AWAITING_DECISION,
    CANCELLABLE,
    HOLDS_A_PLACE,
    IN_STAY,
    OPEN,
    FollowUpCheckIn,
    HostInstitution,
    Relocation,
)

S = Relocation.Status
STAFF = INTAKE  # caseworkers and coordinators carry a relocation
EVERY_STATUS = S.values
# Stipends are paid from the arrival; the last month's may be confirmed after the stay ended.
STIPEND_STATES = [*IN_STAY, S.ENDED]
PREPARATION_STATES = [S.PREPARING, S.IN_RESIDENCE]  # a done date may be recorded once they arrived
BUDGET_STATES = [S.ASSESSING, S.HOST_MATCHING, S.PREPARING, *IN_STAY]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def stipend_months(starts_on: datetime.date, ends_on: datetime.date) -> Iterator[datetime.date]:
    """The first day of each stipend month of a stay: the start, then the same day each month
    (the month's last day when it is shorter) before the end, so a stay of six months to the
    day (1 March to 1 September) is six months, not seven."""
    yield starts_on
    months = 1
    while (month := add_months(starts_on, months)) < ends_on:
        yield month
        months += 1


def _require_text(params: dict[str, Any], key: str, what: str) -> None:
    if not str(params.get(key) or "").strip():
        raise WorkflowError(f"{what} is required.", code=f"{key}_required", field=key)


def _check_dates(starts_on: Any, ends_on: Any) -> None:
    if not isinstance(starts_on, datetime.date) or not isinstance(ends_on, datetime.date):
        raise WorkflowError("Give the start and end dates of the stay.", code="dates_required", field="starts_on")
    if ends_on < starts_on:
        raise WorkflowError("The stay cannot end before it starts.", code="end_before_start", field="ends_on")


def _check_host_place(relocation: Relocation, host: HostInstitution, starts_on: datetime.date,
                      ends_on: datetime.date) -> None:
    """The host can take the whole family, and has a place free for every day of the stay. The host
    row is locked, so two caseworkers cannot give its last place to two stays at once."""
    host = HostInstitution.objects.select_for_update().get(pk=host.pk)
    if not host.is_active:
        raise WorkflowError("This host institution no longer receives anyone.", code="host_inactive", field="host")
    family = relocation.family.count()
    if family > host.family_places:
        raise WorkflowError(
            f"The family ({family} people) is larger than the host's family places ({host.family_places}).",
            code="family_too_large", field="host")
    overlapping = (Relocation.objects.filter(host=host, status__in=HOLDS_A_PLACE,
                                             starts_on__lte=ends_on, ends_on__gte=starts_on)
                   .exclude(pk=relocation.pk).count())
    if overlapping >= host.places:
        raise WorkflowError("The host has no place free for these dates: another stay overlaps them.",
                            code="host_place_taken", field="starts_on")


# --- guards: check what was typed; they see the locked row ---------------------------------------


def _guard_assess(relocation: Relocation, by: Any, params: dict[str, Any]) -> None:
    _require_text(params, "assessment", "The assessment")


def _guard_match(relocation: Relocation, by: Any, params: dict[str, Any]) -> None:
    host = params.get("host")
    if not isinstance(host, HostInstitution):
        raise WorkflowError("Choose a host institution.", code="host_required", field="host")
    _check_dates(params.get("starts_on"), params.get("ends_on"))
    _check_host_place(relocation, host, params["starts_on"], params["ends_on"])


def _guard_extend(relocation: Relocation, by: Any, params: dict[str, Any]) -> None:
    assert relocation.starts_on is not None and relocation.ends_on is not None  # set when matched
    _check_dates(relocation.starts_on, params.get("ends_on"))
    new_end: datetime.date = params["ends_on"]
    # The end date it already has: this very extension, asked again (the engine's key makes it a no-op).
    repeat = relocation.status == S.EXTENDED and new_end == relocation.ends_on
    if new_end <= relocation.ends_on and not repeat:
        raise WorkflowError("An extension ends after the current end date.", code="not_later", field="ends_on")
    limit = add_months(relocation.starts_on, settings.PROTECT_RELOCATION_MAX_MONTHS)
    if new_end > limit and not has_role(by, Role.COORDINATOR):
        raise WorkflowError(
            f"The stay would pass {settings.PROTECT_RELOCATION_MAX_MONTHS} months: a coordinator must approve it.",
            code="coordinator_required", field="ends_on")
    assert relocation.host is not None
    _check_host_place(relocation, relocation.host, relocation.starts_on, new_end)


def _guard_reason(relocation: Relocation, by: Any, params: dict[str, Any]) -> None:
    _require_text(params, "reason", "A reason")


# --- effects: write the fields a transition owns besides status ------------------------------


def _effect_assess(relocation: Relocation, by: Any, params: dict[str, Any]) -> list[str]:
    relocation.assessment = str(params["assessment"]).strip()
    return ["assessment"]


def _effect_match(relocation: Relocation, by: Any, params: dict[str, Any]) -> list[str]:
    relocation.host = params["host"]
    relocation.starts_on, relocation.ends_on = params["starts_on"], params["ends_on"]
    return ["host", "starts_on", "ends_on"]


def _effect_extend(relocation: Relocation, by: Any, params: dict[str, Any]) -> list[str]:
    relocation.ends_on = params["ends_on"]
    return ["ends_on"]


def _effect_cancel(relocation: Relocation, by: Any, params: dict[str, Any]) -> list[str]:
    relocation.cancel_reason = str(params["reason"]).strip()
    return ["cancel_reason"]


def _effect_end(relocation: Relocation, by: Any, params: dict[str, Any]) -> list[str]:
    relocation.ended_at = timezone.now()
    # The return is when the risk may come back: the follow-up check-in is due from the end, in the
    # same transaction, so no ended stay is left without one.
    due_on = relocation.ended_at.date() + datetime.timedelta(days=settings.PROTECT_RELOCATION_CHECKIN_DAYS)
    FollowUpCheckIn.objects.get_or_create(relocation=relocation, defaults={"due_on": due_on})
    return ["ended_at"]


def _when_checkin_open(relocation: Relocation, by: Any) -> None:
    when_readable(relocation, by)
    checkin = FollowUpCheckIn.objects.filter(relocation=relocation).first()
    if checkin is not None and checkin.done_on is not None:
        raise WorkflowError("The follow-up check-in was recorded already.", code="checkin_done")


RELOCATION_WORKFLOW: Workflow[Relocation] = Workflow(
    model=Relocation,
    audit_prefix="relocation.relocation",
    object_check=can_act,
    groups={"open": OPEN, "awaiting_decision": AWAITING_DECISION, "cancellable": CANCELLABLE,
            "holds_a_place": HOLDS_A_PLACE, "stipends": STIPEND_STATES},
    # Finance confirms stipends: it reaches a relocation from the arrival on, and only through the
    # payments inbox (the relocation pages are for those who carry it).
    role_scope={Role.FINANCE: Q(status__in=STIPEND_STATES)},
    steps=[
        transition("route", sources=[S.REQUESTED], target=S.ASSESSING, roles={SYSTEM, Role.COORDINATOR},
                   label="Route", guard=route_guard, effect=route_effect),
        transition("assess", sources=[S.ASSESSING], target=S.HOST_MATCHING, roles=STAFF,
                   label="Record the assessment and look for a host", guard=_guard_assess, effect=_effect_assess),
        transition("match", sources=[S.HOST_MATCHING], target=S.PREPARING, roles=STAFF, label="Match a host",
                   guard=_guard_match, effect=_effect_match, audit_params=("host_id",)),
        transition("start_residence", sources=[S.PREPARING], target=S.IN_RESIDENCE, roles=STAFF,
                   label="Start the residence"),
        transition("extend", sources=IN_STAY, target=S.EXTENDED, roles=STAFF, label="Extend the stay",
                   guard=_guard_extend, effect=_effect_extend),
        transition("end", sources=IN_STAY, target=S.ENDED, roles=STAFF, label="End the stay", effect=_effect_end),
        transition("cancel", sources=CANCELLABLE, target=S.CANCELLED, roles=STAFF, label="Cancel",
                   guard=_guard_reason, effect=_effect_cancel),
        action("edit_family", states=[S.ASSESSING, S.HOST_MATCHING], roles=STAFF, label="Change the family",
               when=when_readable),
        action("ask_requester", states=OPEN, roles=CASE_HANDLERS, label="Ask the requester a question",
               when=when_has_status_page),
        action("update_checklist", states=PREPARATION_STATES, roles=STAFF, label="Update the preparation checklist",
               when=when_readable),
        action("edit_budget", states=BUDGET_STATES, roles=STAFF, label="Change the budget", when=when_readable),
        action("confirm_stipend", states=STIPEND_STATES, roles={Role.FINANCE}, label="Confirm a stipend"),
        action("record_checkin", states=[S.ENDED], roles=STAFF, label="Record the follow-up check-in",
               when=_when_checkin_open),
        action("add_note", states=EVERY_STATUS, roles=STAFF, label="Add a note", when=when_readable),
        action("attach_file", states=EVERY_STATUS, roles=STAFF, label="Add a file", when=when_readable),
    ],
)
