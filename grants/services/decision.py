"""From triage to a decision: the eligibility checklist, review, approvals (four eyes, a second
approver above the threshold, the cap) and the plain transitions (reject, refer, withdraw, close…)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from protect.accounts.permissions import has_any_role
from protect.accounts.roles import Role
from protect.audit.services import log_event
from protect.cases.access import case_grant_access
from protect.core.errors import clean_or_refuse

from ..models import Approval, Grant
from ..money import GrantError, approvals_needed, check_amount, check_cap, to_eur_minor
from ..workflow import GRANT_WORKFLOW, awaiting_cosigner

VERIFICATION_CHOICES = {
    "endorser_contacted": "Endorser contacted",
    "partner_asked": "Partner organisation asked",
    "documents_checked": "Documents checked",
    "public_sources": "Public sources checked",
}


def grant_update_eligibility(
    *, grant: Grant, by: Any, hrd: bool, risk: bool, urgent: bool, no_other_source: bool
) -> Grant:
    with GRANT_WORKFLOW.acting(grant, "update_eligibility", by=by) as grant:
        grant.eligible_hrd, grant.eligible_risk = hrd, risk
        grant.eligible_urgent, grant.eligible_no_other_source = urgent, no_other_source
        grant.save(update_fields=["eligible_hrd", "eligible_risk", "eligible_urgent", "eligible_no_other_source"])
        log_event("grants.grant.eligibility_checked", actor=by, target=grant,
                  data={"hrd": hrd, "risk": risk, "urgent": urgent, "no_other_source": no_other_source})
    return grant


def grant_submit_for_review(*, grant: Grant, by: Any, reviewer: Any) -> Grant:
    with transaction.atomic():
        grant = GRANT_WORKFLOW.run(grant, "submit_for_review", by=by, reviewer=reviewer,
                                   reviewer_id=getattr(reviewer, "pk", None))
        if grant.reviewer_id is not None:
            case_grant_access(case=grant, user=grant.reviewer)
    return grant


def grant_check_and_submit_for_review(
    *, grant: Grant, by: Any, hrd: bool, risk: bool, urgent: bool, no_other_source: bool, reviewer: Any
) -> Grant:
    """The eligibility checklist and "send for review" in one step, all or nothing: a checklist left
    incomplete, or a reviewer refused, saves nothing. A repeat (double click) once the case is under
    review changes nothing."""
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        if locked.status == Grant.Status.UNDER_REVIEW:
            return GRANT_WORKFLOW.run(locked, "submit_for_review", by=by, reviewer=reviewer)  # the engine's repeat
        locked = grant_update_eligibility(grant=locked, by=by, hrd=hrd, risk=risk, urgent=urgent,
                                          no_other_source=no_other_source)
        return grant_submit_for_review(grant=locked, by=by, reviewer=reviewer)


def grant_record_review(
    *, grant: Grant, by: Any, recommendation: str, verification: list[str], note: str,
    proposed_amount_minor: int | None = None,
) -> Grant:
    if recommendation not in Grant.Recommendation.values:
        raise GrantError("Choose a recommendation.", code="recommendation", field="recommendation")
    if not verification or any(v not in VERIFICATION_CHOICES for v in verification):
        raise GrantError("Say which verification was done.", code="verification", field="verification")
    if proposed_amount_minor is not None:
        check_amount(proposed_amount_minor, "The proposed amount", field="proposed_amount")
    with GRANT_WORKFLOW.acting(grant, "record_review", by=by) as grant:
        grant.recommendation = recommendation
        grant.verification = sorted(set(verification))
        grant.review_note = note.strip()
        grant.proposed_amount_minor = proposed_amount_minor
        clean_or_refuse(grant)
        grant.save(update_fields=["recommendation", "verification", "review_note", "proposed_amount_minor"])
        log_event("grants.grant.reviewed", actor=by, target=grant,
                  data={"recommendation": recommendation, "verification": grant.verification})
    return grant


def grant_approve(*, grant: Grant, by: Any, amount_minor: int, second_approver: Any = None) -> Grant:
    """Record `by`'s approval of `amount_minor` (grant currency); approve once enough approvers agree.

    Four eyes: nobody who prepared the case approves it. Above the second-approval threshold a
    second, different approver must agree on the same amount. The cap can never be exceeded.
    A repeated or concurrent approval by the same person is one approval. The first approval of an
    amount that needs two names its co-signer: one event says both, so the timeline never shows an
    approval twice."""
    check_amount(amount_minor, "The approved amount")
    with transaction.atomic():  # the row lock is held from here to the end: approvals are serialised
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        if locked.approvals.filter(approver=by).exists() and not awaiting_cosigner(locked):
            return locked  # a double click: this person's approval is recorded already
        return _record_approval(locked, by, amount_minor, second_approver)


def _record_approval(grant: Grant, by: Any, amount_minor: int, second_approver: Any) -> Grant:
    with GRANT_WORKFLOW.acting(grant, "record_approval", by=by) as grant:
        amount_eur_minor = to_eur_minor(amount_minor, grant.eur_rate)
        check_cap(amount_eur_minor)
        previous = list(grant.approvals.exclude(approver=by))
        if previous and any(a.amount_minor != amount_minor for a in previous):
            raise GrantError("The second approval must be for the same amount as the first.", code="amount_mismatch",
                             field="amount")
        needed = approvals_needed(amount_eur_minor)
        if awaiting_cosigner(grant) and grant.approvals.filter(approver=by).exists():
            # An approval recorded before a co-signer had to be named with it: name one now, as
            # itself, without recording the approval a second time.
            if second_approver is None:
                raise GrantError(_cosigner_needed(), code="second_approver_required", field="second_approver")
            _assign_second_approver(grant, by, second_approver)
            log_event("grants.grant.second_approver_assigned", actor=by, target=grant,
                      data={"approver_id": second_approver.pk})
            return grant
        if not previous and needed > 1 and second_approver is None and grant.second_approver_id is None:
            raise GrantError(_cosigner_needed(), code="second_approver_required", field="second_approver")
        Approval.objects.get_or_create(grant=grant, approver=by, defaults={"amount_minor": amount_minor})
        count = grant.approvals.count()
        if count < needed:
            data: dict[str, Any] = {"amount_minor": amount_minor, "approvals": count, "needed": needed}
            if second_approver is not None:
                _assign_second_approver(grant, by, second_approver)
                data["second_approver_id"] = second_approver.pk
            log_event("grants.grant.approval_recorded", actor=by, target=grant, data=data)
            return grant
        return GRANT_WORKFLOW.run(grant, "approve", by=by, amount_minor=amount_minor,
                                  amount_eur_minor=amount_eur_minor, approvals=count)


def _cosigner_needed() -> str:
    return (f"Above EUR {settings.PROTECT_GRANT_SECOND_APPROVAL_EUR:,} a second approver co-signs: "
            "name them in this approval.")


def _assign_second_approver(grant: Grant, by: Any, approver: Any) -> None:
    if approver.pk in (by.pk, grant.prepared_by_id):
        raise GrantError("The second approver must be a third person.", code="four_eyes", field="second_approver")
    if not has_any_role(approver, (Role.REVIEWER, Role.COORDINATOR)):
        raise GrantError("The second approver must be an active reviewer.", code="second_approver",
                         field="second_approver")
    grant.second_approver = approver
    grant.save(update_fields=["second_approver"])
    case_grant_access(case=grant, user=approver)
