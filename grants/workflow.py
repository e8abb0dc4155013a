"""The grant state machine: its steps (transitions and state-gated actions), guards and status
groups. The engine is protect/workflow.py; the routing step is the kernel's.

submitted → triage ⇄ info_requested → under_review → approved → disbursing → reporting → closed,
exits rejected, referred (to another mechanism), withdrawn.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from protect.accounts.permissions import has_any_role, has_role
from protect.accounts.roles import CASE_HANDLERS, DECIDERS, INTAKE, Role
from protect.cases.access import can_act
from protect.cases.rules import when_has_status_page, when_readable, when_receipt_reissuable
from protect.cases.services.routing import route_effect, route_guard
from protect.workflow import SYSTEM, Workflow, WorkflowError, action, transition

from .models import AWAITING_DECISION, DECIDABLE, FUNDED, OPEN, Grant
from .money import GrantError, approvals_needed, to_eur_minor

S = Grant.Status
STAFF = INTAKE  # caseworkers and coordinators: they prepare a case
READERS = CASE_HANDLERS  # who reads the case file and decides on it (finance never does)
# Who adds to the case file (notes, files, the report): those who carry the case. Finance pays
# and reads receipts only; a reviewer records their view in the review, not in notes.
WRITERS = INTAKE
EVERY_STATUS = S.values


def _require_text(params: dict[str, Any], key: str, what: str) -> None:
    if not str(params.get(key) or "").strip():
        raise WorkflowError(f"{what} is required.", code=f"{key}_required")


# --- when: may this person take the step on this case now (before anything is typed) -----------


def _not_preparer(grant: Grant, by: Any, verb: str) -> None:
    if grant.prepared_by_id is not None and grant.prepared_by_id == getattr(by, "pk", None):
        raise GrantError(f"You prepared this case: someone else must {verb} it.", code="four_eyes")


def _when_review(grant: Grant, by: Any) -> None:
    _not_preparer(grant, by, "review")
    if grant.reviewer_id != getattr(by, "pk", None) and not has_role(by, Role.COORDINATOR):
        raise WorkflowError("This case was sent to another reviewer.", code="not_your_review")


def _when_decide(grant: Grant, by: Any) -> None:
    """Four eyes and a recorded review, re-checked on the locked row so no path to `approved` skips them."""
    _not_preparer(grant, by, "approve")
    if not grant.recommendation:
        raise GrantError("Record the review (recommendation and verification) before approving.",
                            code="review_missing")


def _when_approve(grant: Grant, by: Any) -> None:
    """And one approval per person, unless a co-signer is still to be named."""
    _when_decide(grant, by)
    if by is not None and any(a.approver_id == by.pk for a in grant.approvals.all()) and not awaiting_cosigner(grant):
        raise WorkflowError("You approved this case already; a second approver must co-sign.", code="approved_once")


def awaiting_cosigner(grant: Grant) -> bool:
    """A first approval above the threshold and no co-signer named yet: its approver may name one."""
    approvals = list(grant.approvals.all())
    return (bool(approvals) and grant.second_approver_id is None
            and len(approvals) < approvals_needed(to_eur_minor(approvals[0].amount_minor, grant.eur_rate)))


def _when_report_open(grant: Grant, by: Any) -> None:
    if hasattr(grant, "report") or grant.report_waived_by_id is not None:
        raise WorkflowError("The report was received or waived already.", code="report_done")


def _when_reject(grant: Grant, by: Any) -> None:
    if grant.status == S.UNDER_REVIEW and by is not None and not has_any_role(by, DECIDERS):
        raise WorkflowError("Once under review, only a reviewer or a coordinator can reject.", code="reviewer_only")


# --- guards: check what was typed; they see the locked row ---------------------------------------


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


def _guard_reason(grant: Grant, by: Any, params: dict[str, Any]) -> None:
    _require_text(params, "reason", "A reason")


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


GRANT_WORKFLOW: Workflow[Grant] = Workflow(
    model=Grant,
    audit_prefix="grants.grant",
    object_check=can_act,
    groups={"open": OPEN, "awaiting_decision": AWAITING_DECISION, "decidable": DECIDABLE, "funded": FUNDED},
    role_scope={Role.FINANCE: Q(status__in=FUNDED)},
    steps=[
        transition("route", sources=[S.SUBMITTED], target=S.TRIAGE, roles={SYSTEM, Role.COORDINATOR},
                   label="Route", guard=route_guard, effect=route_effect),
        action("update_eligibility", states=[S.TRIAGE, S.INFO_REQUESTED], roles=STAFF,
               label="Update the eligibility checklist"),
        action("ask_requester", states=[S.TRIAGE, S.UNDER_REVIEW, S.INFO_REQUESTED], roles=READERS,
               label="Ask the requester a question", when=when_has_status_page),
        transition("request_info", sources=[S.TRIAGE, S.UNDER_REVIEW], target=S.INFO_REQUESTED, roles=READERS,
                   label="Put the case on hold for the requester's answer"),
        transition("info_received", sources=[S.INFO_REQUESTED], target=S.TRIAGE, roles=STAFF | {SYSTEM},
                   label="Resume triage"),
        transition("submit_for_review", sources=[S.TRIAGE], target=S.UNDER_REVIEW, roles=STAFF,
                   label="Send for review", guard=_guard_submit_for_review, effect=_effect_submit_for_review,
                   audit_params=("reviewer_id",)),
        action("record_review", states=[S.UNDER_REVIEW], roles=DECIDERS, label="Record the review",
               when=_when_review),
        transition("return_to_triage", sources=[S.UNDER_REVIEW], target=S.TRIAGE, roles=DECIDERS,
                   label="Return to triage", guard=_guard_reason),
        action("record_approval", states=[S.UNDER_REVIEW], roles=DECIDERS, label="Approve", when=_when_approve),
        transition("approve", sources=[S.UNDER_REVIEW], target=S.APPROVED, roles=DECIDERS, label="Approve",
                   when=_when_decide, effect=_effect_approve,
                   audit_params=("amount_minor", "amount_eur_minor", "approvals")),
        transition("reject", sources=DECIDABLE, target=S.REJECTED, roles=READERS, label="Reject",
                   when=_when_reject, guard=_guard_reason, effect=_effect_decide_with_reason),
        transition("refer", sources=DECIDABLE, target=S.REFERRED, roles=READERS,
                   label="Refer to another mechanism", guard=_guard_refer, effect=_effect_refer),
        transition("withdraw", sources=[S.SUBMITTED, *DECIDABLE], target=S.WITHDRAWN, roles=STAFF | {SYSTEM},
                   label="Withdraw", guard=_guard_reason, effect=_effect_decide_with_reason),
        action("record_payment", states=[S.APPROVED, S.DISBURSING], roles={Role.FINANCE}, label="Record a payment"),
        transition("start_disbursing", sources=[S.APPROVED], target=S.DISBURSING, roles={Role.FINANCE},
                   label="Start paying"),
        transition("fully_paid", sources=[S.DISBURSING], target=S.REPORTING, roles={Role.FINANCE},
                   label="Mark fully paid", guard=_guard_fully_paid, effect=_effect_fully_paid),
        action("receive_report", states=[S.REPORTING], roles=WRITERS, label="Receive the report",
               when=_when_report_open),
        action("waive_report", states=[S.REPORTING], roles={Role.COORDINATOR}, label="Waive the report",
               when=_when_report_open),
        transition("close", sources=[S.REPORTING], target=S.CLOSED, roles=STAFF, label="Close",
                   guard=_guard_close, effect=_effect_close),
        action("add_note", states=EVERY_STATUS, roles=WRITERS, label="Add a note", when=when_readable),
        action("attach_file", states=EVERY_STATUS, roles=WRITERS, label="Add a file", when=when_readable),
        action("reissue_receipt", states=EVERY_STATUS, roles=WRITERS, label="Issue a new receipt",
               when=when_receipt_reissuable),
    ],
)
