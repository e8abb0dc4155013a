"""The grant state machine: its transition table and guards. The engine is protect/workflow.py.

submitted → triage ⇄ info_requested → under_review → approved → disbursing → reporting → closed,
exits rejected, referred (to another mechanism), withdrawn.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from protect.accounts.permissions import has_any_role, has_role
from protect.accounts.roles import Role
from protect.workflow import SYSTEM, Workflow, WorkflowError, transition

from .models import Grant
from .permissions import can_act_on_grant

S = Grant.Status
PRE_DECISION = (S.TRIAGE, S.INFO_REQUESTED, S.UNDER_REVIEW)


def _require_text(params: dict[str, Any], key: str, what: str) -> None:
    if not str(params.get(key) or "").strip():
        raise WorkflowError(f"{what} is required.", code=f"{key}_required")


# --- guards: raise WorkflowError to refuse; they see the locked row -------------------------


def _guard_route(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    if params.get("team") is None:
        raise WorkflowError("No team can take this case: create a team for its region first.", code="no_team")


def _guard_submit_for_review(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    missing = [
        label
        for ok, label in (
            (grant.eligible_hrd, "is a human rights defender"),
            (grant.eligible_risk, "is at risk because of that work"),
            (grant.eligible_urgent, "the need is urgent"),
            (grant.eligible_no_other_source, "no other source can cover it"),
        )
        if not ok
    ]
    if missing:
        raise WorkflowError("Complete the eligibility checklist first: " + "; ".join(missing) + ".", code="eligibility")
    reviewer = params.get("reviewer")
    if reviewer is None:
        raise WorkflowError("Choose a reviewer.", code="reviewer_required")
    if reviewer.pk == getattr(by, "pk", None):
        raise WorkflowError("The reviewer must be someone other than the person who prepared the case.",
                            code="four_eyes")
    if not has_role(reviewer, Role.REVIEWER):
        raise WorkflowError("The chosen reviewer is not an active reviewer.", code="reviewer_invalid")


def _guard_approve(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    # The service has checked amounts and counted approvals; this re-checks the four-eyes rule
    # on the locked row, so no path to `approved` can skip it.
    if grant.prepared_by_id is not None and grant.prepared_by_id == getattr(by, "pk", None):
        raise WorkflowError("You prepared this case: someone else must approve it.", code="four_eyes")
    if not grant.recommendation:
        raise WorkflowError("Record the review (recommendation and verification) before approving.",
                            code="review_missing")


def _guard_reason(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    _require_text(params, "reason", "A reason")


def _guard_reject(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    _require_text(params, "reason", "A reason")
    if grant.status == S.UNDER_REVIEW and by is not None and not has_any_role(by, (Role.REVIEWER, Role.COORDINATOR)):
        raise WorkflowError("Once under review, only a reviewer or a coordinator can reject.", code="reviewer_only")


def _guard_refer(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    _require_text(params, "referred_to", "The mechanism the case is referred to")


def _guard_close(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    if not hasattr(grant, "report") and grant.report_waived_by_id is None:
        raise WorkflowError("Receive the report, or have a coordinator waive it, before closing.", code="report_open")


def _guard_fully_paid(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    paid = sum(d.amount_minor for d in grant.disbursements.all())
    if grant.approved_amount_minor is None or paid < grant.approved_amount_minor:
        raise WorkflowError("The approved amount is not fully paid yet.", code="not_fully_paid")


# --- effects: write the fields a transition owns besides status ------------------------------


def _effect_route(grant: Grant, by: Any, params: dict[str, Any]) -> list[str]:
    grant.team = params["team"]
    grant.caseworker = params.get("caseworker")
    grant.sla_due_at = params["sla_due_at"]
    grant.routed_at = timezone.now()
    return ["team", "caseworker", "sla_due_at", "routed_at"]


def _effect_submit_for_review(grant: Grant, by: Any, params: dict[str, Any]) -> list[str]:
    grant.prepared_by = by
    grant.reviewer = params["reviewer"]
    return ["prepared_by", "reviewer"]


def _effect_approve(grant: Grant, by: Any, params: dict[str, Any]) -> list[str]:
    grant.approved_amount_minor = params["amount_minor"]
    grant.approved_amount_eur_minor = params["amount_eur_minor"]
    grant.decided_at = timezone.now()
    return ["approved_amount_minor", "approved_amount_eur_minor", "decided_at"]


def _effect_decide_with_reason(grant: Grant, by: Any, params: dict[str, Any]) -> list[str]:
    grant.decision_note = str(params["reason"]).strip()
    grant.decided_at = timezone.now()
    return ["decision_note", "decided_at"]


def _effect_refer(grant: Grant, by: Any, params: dict[str, Any]) -> list[str]:
    grant.referred_to = str(params["referred_to"]).strip()[:200]
    grant.decision_note = str(params.get("reason") or "").strip()
    grant.decided_at = timezone.now()
    return ["referred_to", "decision_note", "decided_at"]


def _effect_fully_paid(grant: Grant, by: Any, params: dict[str, Any]) -> list[str]:
    grant.report_due_at = params["report_due_at"]
    return ["report_due_at"]


def _effect_close(grant: Grant, by: Any, params: dict[str, Any]) -> list[str]:
    grant.closed_at = timezone.now()
    return ["closed_at"]


STAFF = {Role.CASEWORKER, Role.COORDINATOR}

GRANT_WORKFLOW: Workflow[Grant] = Workflow(
    model=Grant,
    audit_prefix="grants.grant",
    object_check=can_act_on_grant,
    transitions=[
        transition("route", sources=[S.SUBMITTED], target=S.TRIAGE, roles={SYSTEM, Role.COORDINATOR},
                   label="Route", guard=_guard_route, effect=_effect_route),
        transition("request_info", sources=[S.TRIAGE, S.UNDER_REVIEW], target=S.INFO_REQUESTED,
                   roles=STAFF | {Role.REVIEWER}, label="Ask the requester a question"),
        transition("info_received", sources=[S.INFO_REQUESTED], target=S.TRIAGE, roles=STAFF | {SYSTEM},
                   label="Resume triage"),
        transition("submit_for_review", sources=[S.TRIAGE], target=S.UNDER_REVIEW, roles=STAFF,
                   label="Send for review", guard=_guard_submit_for_review, effect=_effect_submit_for_review,
                   audit_params=("reviewer_id",)),
        transition("return_to_triage", sources=[S.UNDER_REVIEW], target=S.TRIAGE,
                   roles={Role.REVIEWER, Role.COORDINATOR}, label="Return to triage", guard=_guard_reason),
        transition("approve", sources=[S.UNDER_REVIEW], target=S.APPROVED, roles={Role.REVIEWER, Role.COORDINATOR},
                   label="Approve", guard=_guard_approve, effect=_effect_approve,
                   audit_params=("amount_minor", "amount_eur_minor", "approvals")),
        transition("reject", sources=PRE_DECISION, target=S.REJECTED, roles=STAFF | {Role.REVIEWER},
                   label="Reject", guard=_guard_reject, effect=_effect_decide_with_reason),
        transition("refer", sources=PRE_DECISION, target=S.REFERRED, roles=STAFF | {Role.REVIEWER},
                   label="Refer to another mechanism", guard=_guard_refer, effect=_effect_refer,
                   audit_params=("referred_to",)),
        transition("withdraw", sources=[S.SUBMITTED, *PRE_DECISION], target=S.WITHDRAWN, roles=STAFF | {SYSTEM},
                   label="Withdraw", guard=_guard_reason, effect=_effect_decide_with_reason),
        transition("start_disbursing", sources=[S.APPROVED], target=S.DISBURSING, roles={Role.FINANCE},
                   label="Start paying"),
        transition("fully_paid", sources=[S.DISBURSING], target=S.REPORTING, roles={Role.FINANCE},
                   label="Mark fully paid", guard=_guard_fully_paid, effect=_effect_fully_paid),
        transition("close", sources=[S.REPORTING], target=S.CLOSED, roles=STAFF, label="Close",
                   guard=_guard_close, effect=_effect_close),
    ],
)

# Actions a person triggers from the case page directly (others run inside services).
PAGE_ACTIONS = (
    "request_info", "info_received", "submit_for_review", "return_to_triage", "reject", "refer", "withdraw", "close",
)
