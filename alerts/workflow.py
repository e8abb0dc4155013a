"""The alert state machine: its steps, guards and status groups. The engine is protect/workflow.py;
the routing step is the kernel's.

submitted → draft (routed) → in_review → approved → published (→ published: an update, once per
idempotency key) → closed with an outcome; withdrawn from any state before publication.
Nothing is approved or published without a recorded consent in force whose checklist passes, and
every translation to be used reviewed by a second person.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from protect.accounts.permissions import has_any_role
from protect.accounts.roles import DECIDERS, INTAKE, Role
from protect.cases.access import can_act, case_grant_access
from protect.cases.rules import when_readable
from protect.cases.services.routing import route_effect, route_guard
from protect.workflow import SYSTEM, Workflow, WorkflowError, action, transition

from .errors import AlertError
from .models import AWAITING_DECISION, DISTRIBUTED, OPEN, Alert

S = Alert.Status
STAFF = INTAKE  # caseworkers and coordinators draft, publish and update alerts
EVERY_STATUS = S.values


def check_ready_to_go_out(alert: Alert) -> None:
    """Consent in force, its checklist passed, every translation reviewed: what approving and
    publishing both require (re-checked on the locked row at each). Nothing goes out for a defender
    whose data was erased: there is no text left to send."""
    when_readable(alert, None)
    scope = alert.consent_in_force()
    if scope is None:
        raise AlertError("Record the defender's consent to this alert first (none is in force).",
                         code="consent_missing")
    unanswered = [
        label for ok, label in (
            (scope.information_verified, "the information is verified"),
            (scope.response_plan, "there is a response plan"),
            (scope.benefits_outweigh_risks, "the benefits outweigh the risks"),
        ) if not ok
    ]
    if unanswered:
        raise AlertError("The consent checklist does not allow it: not yet " + "; ".join(unanswered) + ".",
                         code="checklist")
    if scope.naming_is_a_risk and scope.may_name:
        raise AlertError("Naming the defender is a risk: the consent must describe them, not name them.",
                         code="naming_risk")
    if not scope.tiers:
        raise AlertError("The consent allows no recipient tier.", code="no_tier")
    unreviewed = sorted(t.language for t in alert.translations.all() if not t.is_reviewed)
    if unreviewed:
        raise AlertError("Have a second person review the translations first: " + ", ".join(unreviewed) + ".",
                         code="translation_unreviewed")


def _when_ready(alert: Alert, by: Any) -> None:
    check_ready_to_go_out(alert)


def _when_consent_in_force(alert: Alert, by: Any) -> None:
    when_readable(alert, by)  # erasure already stopped everything a revocation would
    if alert.consent_in_force() is None:
        raise AlertError("No consent is in force for this alert.", code="consent_missing")


def _when_second_person(alert: Alert, by: Any) -> None:
    if alert.prepared_by_id is not None and alert.prepared_by_id == getattr(by, "pk", None):
        raise AlertError("You prepared this alert: someone else must approve it.", code="four_eyes")
    check_ready_to_go_out(alert)


def _guard_submit(alert: Alert, by: Any, params: dict[str, Any]) -> None:
    reviewer = params.get("reviewer")
    if reviewer is None:
        raise AlertError("Choose who reviews the alert.", code="reviewer_required", field="reviewer")
    if reviewer.pk == getattr(by, "pk", None):
        raise AlertError("The reviewer must be someone other than the person who prepared the alert.",
                         code="four_eyes", field="reviewer")
    if not has_any_role(reviewer, DECIDERS):
        raise AlertError("The chosen reviewer is not an active reviewer.", code="reviewer_invalid", field="reviewer")


def _guard_publish(alert: Alert, by: Any, params: dict[str, Any]) -> None:
    """The tiers asked for must all be tiers the consent allows: no silent narrowing."""
    scope = alert.consent_in_force()
    assert scope is not None  # _when_ready ran first
    tiers = list(params.get("tiers") or [])
    if not tiers:
        raise AlertError("Choose at least one recipient tier.", code="tiers_required", field="tiers")
    excluded = sorted(set(tiers) - set(scope.tiers))
    if excluded:
        raise AlertError("The defender's consent does not allow sending to: " + ", ".join(excluded) + ".",
                         code="tier_not_consented", field="tiers")


def _guard_outcome(alert: Alert, by: Any, params: dict[str, Any]) -> None:
    if params.get("outcome") not in Alert.Outcome.values:
        raise WorkflowError("Choose the outcome.", code="outcome_required")


def _guard_reason(alert: Alert, by: Any, params: dict[str, Any]) -> None:
    if not str(params.get("reason") or "").strip():
        raise WorkflowError("A reason is required.", code="reason_required")


def _effect_submit(alert: Alert, by: Any, params: dict[str, Any]) -> list[str]:
    alert.prepared_by = by
    case_grant_access(case=alert, user=params["reviewer"])  # the reviewer reads and decides on this one
    return ["prepared_by"]


def _effect_approve(alert: Alert, by: Any, params: dict[str, Any]) -> list[str]:
    alert.approved_by = by
    return ["approved_by"]


def _effect_publish(alert: Alert, by: Any, params: dict[str, Any]) -> list[str]:
    alert.tiers = sorted(set(params["tiers"]))
    alert.published_at = alert.last_update_at = timezone.now()
    return ["tiers", "published_at", "last_update_at"]


def _effect_update(alert: Alert, by: Any, params: dict[str, Any]) -> list[str]:
    alert.last_update_at = timezone.now()
    return ["last_update_at"]


def _effect_reason(alert: Alert, by: Any, params: dict[str, Any]) -> list[str]:
    alert.decision_note = str(params["reason"]).strip()
    return ["decision_note"]


def _effect_close(alert: Alert, by: Any, params: dict[str, Any]) -> list[str]:
    alert.outcome = params["outcome"]
    alert.closed_at = timezone.now()
    return ["outcome", "closed_at"]


ALERT_WORKFLOW: Workflow[Alert] = Workflow(
    model=Alert,
    audit_prefix="alerts.alert",
    object_check=can_act,
    groups={"open": OPEN, "awaiting_decision": AWAITING_DECISION, "distributed": DISTRIBUTED},
    steps=[
        transition("route", sources=[S.SUBMITTED], target=S.DRAFT, roles={SYSTEM, Role.COORDINATOR}, label="Route",
                   guard=route_guard, effect=route_effect),
        action("edit", states=[S.DRAFT], roles=STAFF, label="Edit the alert", when=when_readable),
        action("translate", states=[S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED], roles=STAFF,
               label="Write a translation", when=when_readable),
        action("review_translation", states=[S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED],
               roles=STAFF | DECIDERS, label="Review a translation", when=when_readable),
        action("record_consent", states=[S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED], roles=STAFF,
               label="Record the consent", when=when_readable),
        # Taking consent back is never refused by state: a closed alert's pending deliveries stop too.
        action("revoke_consent", states=EVERY_STATUS, roles=STAFF, label="Revoke the consent",
               when=_when_consent_in_force),
        transition("submit_for_review", sources=[S.DRAFT], target=S.IN_REVIEW, roles=STAFF,
                   label="Send for review", guard=_guard_submit, effect=_effect_submit,
                   audit_params=("reviewer_id",)),
        transition("return_to_draft", sources=[S.IN_REVIEW], target=S.DRAFT, roles=DECIDERS,
                   label="Return to draft", guard=_guard_reason, effect=_effect_reason),
        transition("approve", sources=[S.IN_REVIEW], target=S.APPROVED, roles=DECIDERS, label="Approve",
                   when=_when_second_person, effect=_effect_approve),
        transition("publish", sources=[S.APPROVED], target=S.PUBLISHED, roles=STAFF, label="Publish",
                   when=_when_ready, guard=_guard_publish, effect=_effect_publish, audit_params=("tiers",)),
        transition("update", sources=[S.PUBLISHED], target=S.PUBLISHED, roles=STAFF, label="Send an update",
                   when=_when_ready, effect=_effect_update),
        transition("close", sources=[S.PUBLISHED], target=S.CLOSED, roles=STAFF, label="Close",
                   guard=_guard_outcome, effect=_effect_close, audit_params=("outcome",)),
        transition("withdraw", sources=[S.SUBMITTED, S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED],
                   target=S.WITHDRAWN, roles=STAFF | {SYSTEM}, label="Withdraw", guard=_guard_reason,
                   effect=_effect_reason),
        action("add_note", states=EVERY_STATUS, roles=STAFF, label="Add a note", when=when_readable),
        action("attach_file", states=EVERY_STATUS, roles=STAFF, label="Add a file", when=when_readable),
    ],
)
