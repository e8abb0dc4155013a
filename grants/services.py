"""Grant use cases: the only code that writes grants. One keyword-only function per use case.

Each runs in one transaction with its audit event; status changes go through GRANT_WORKFLOW.
"""

from __future__ import annotations

import functools
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from protect.accounts.permissions import has_any_role, has_role
from protect.accounts.roles import Role
from protect.audit.services import log_event, log_reveal
from protect.core.errors import Conflict, NotFound, PermissionDenied, ProtectError
from protect.delivery.services import delivery_email
from protect.outbox.services import outbox_enqueue
from protect.workflow import WorkflowError

from .models import (
    Approval,
    Channel,
    Disbursement,
    Escalation,
    Grant,
    GrantFile,
    Message,
    NeedKind,
    Note,
    Report,
    RiskKind,
    Urgency,
)
from .permissions import can_act_on_grant, grant_access
from .workflow import GRANT_WORKFLOW

S = Grant.Status


class GrantError(ProtectError):
    """A grant rule said no; the message is shown to the person who asked."""


# --- money --------------------------------------------------------------------------------------


def eur_rate_for(currency: str) -> Decimal:
    rates: dict[str, Decimal] = settings.PROTECT_EUR_RATES
    try:
        return rates[currency.upper()]
    except KeyError:
        raise GrantError(f"Currency {currency!r} is not supported; use one of {', '.join(sorted(rates))}.",
                         code="currency") from None


def to_eur_minor(amount_minor: int, rate: Decimal) -> int:
    return int((Decimal(amount_minor) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check_amount(amount_minor: int, what: str = "The amount") -> None:
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise GrantError(f"{what} must be a positive amount.", code="amount")


# --- intake -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestDetails:
    """What a request says, whichever door it came through."""

    risk_kinds: list[str]
    urgency: str
    needs: list[str]
    amount_requested_minor: int
    currency: str
    incident: str
    threat: str
    need_details: str = ""
    other_funding: str = ""
    endorsers: list[dict[str, str]] | None = None
    language: str = "en"

    def validate(self) -> None:
        if not self.needs or any(n not in NeedKind.values for n in self.needs):
            raise GrantError("Choose at least one kind of need from the list.", code="needs")
        if not self.risk_kinds or any(r not in RiskKind.values for r in self.risk_kinds):
            raise GrantError("Choose at least one kind of risk from the list.", code="risk_kinds")
        if self.urgency not in Urgency.values:
            raise GrantError("Choose how urgent the need is.", code="urgency")
        if self.language not in dict(settings.LANGUAGES):
            raise GrantError("Unsupported language.", code="language")
        _check_amount(self.amount_requested_minor, "The amount requested")
        cap_minor = settings.PROTECT_GRANT_CAP_EUR * 100
        if to_eur_minor(self.amount_requested_minor, eur_rate_for(self.currency)) > cap_minor:
            raise GrantError(
                f"The amount requested is above the maximum grant of EUR {settings.PROTECT_GRANT_CAP_EUR:,}.",
                code="cap",
            )
        if not self.incident.strip() and not self.threat.strip():
            raise GrantError("Tell us what happened and what the threat is now.", code="incident")


@dataclass(frozen=True)
class RequesterSecrets:
    receipt_code: str
    passphrase: str


_RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each
_WORDLIST_LANGUAGE = {"en": "english", "es": "spanish", "fr": "french", "ru": "russian"}


def _normalise_secret(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("-", " ").split())


def _receipt_index(code: str) -> str:
    from protect.crypto.blind import blind_index

    return blind_index("grant_receipt", code.replace("-", "").upper())


def _new_requester_secrets(language: str) -> RequesterSecrets:
    """12 symbols of receipt (60 bits) + 7 words of 2048 (77 bits): 137 bits together."""
    from mnemonic import Mnemonic

    raw = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(12))
    words = Mnemonic(_WORDLIST_LANGUAGE.get(language, "english")).wordlist
    passphrase = " ".join(secrets.choice(words) for _ in range(7))
    return RequesterSecrets(receipt_code=f"{raw[:4]}-{raw[4:8]}-{raw[8:]}", passphrase=passphrase)


def _create_grant(
    *, defender: Any, details: RequestDetails, channel: str, recorded_by: Any = None, referred_by: Any = None,
    attachments: list[UploadedFile] | None = None, with_requester_secrets: bool = True,
) -> tuple[Grant, RequesterSecrets | None]:
    rate = eur_rate_for(details.currency)
    requester = _new_requester_secrets(details.language) if with_requester_secrets else None
    grant = Grant(
        defender=defender,
        channel=channel,
        language=details.language,
        recorded_by=recorded_by,
        referred_by=referred_by,
        country=defender.country,
        region=defender.region,
        risk_kinds=sorted(set(details.risk_kinds)),
        urgency=details.urgency,
        sla_due_at=sla_for(details.urgency, timezone.now()),
        sla_near_at=sla_near_for(details.urgency, timezone.now()),
        needs=sorted(set(details.needs)),
        amount_requested_minor=details.amount_requested_minor,
        currency=details.currency.upper(),
        eur_rate=rate,
        amount_requested_eur_minor=to_eur_minor(details.amount_requested_minor, rate),
        incident=details.incident.strip(),
        threat=details.threat.strip(),
        need_details=details.need_details.strip(),
        other_funding=details.other_funding.strip(),
        endorsers=details.endorsers or [],
    )
    if requester is not None:
        grant.receipt_index = _receipt_index(requester.receipt_code)
        grant.passphrase_hash = make_password(_normalise_secret(requester.passphrase))
    grant.full_clean()
    grant.save()
    for upload in attachments or []:
        grant_attach_file(grant=grant, by=recorded_by, uploaded_file=upload, kind=GrantFile.Kind.ATTACHMENT)
    log_event("grants.grant.submitted", actor=recorded_by or referred_by, target=grant,
              data={"channel": channel, "urgency": grant.urgency, "needs": grant.needs})
    # Routing goes through the outbox: if Redis is down the request is still accepted, and routed
    # when the broker is back.
    outbox_enqueue(task_name="grants.route", kwargs={"grant_id": grant.pk})
    return grant, requester


def grant_submit_public(
    *, defender_data: dict[str, Any], details: RequestDetails, attachments: list[UploadedFile] | None = None
) -> tuple[Grant, RequesterSecrets]:
    """A request from the public form: no account; the requester leaves with a receipt and passphrase."""
    from protect.defenders.services import defender_create

    details.validate()
    with transaction.atomic():
        defender = defender_create(by=None, intake=True, **defender_data)
        grant, requester = _create_grant(defender=defender, details=details, channel=Channel.PUBLIC_FORM,
                                         attachments=attachments)
    assert requester is not None
    return grant, requester


def grant_record_hotline(
    *, by: Any, defender: Any = None, defender_data: dict[str, Any] | None = None, details: RequestDetails,
    attachments: list[UploadedFile] | None = None,
) -> tuple[Grant, RequesterSecrets]:
    """A caseworker records a request taken by phone or secure messenger, for an existing or new defender."""
    from protect.defenders.services import defender_create

    if not has_any_role(by, (Role.CASEWORKER, Role.COORDINATOR)):
        raise PermissionDenied("Only caseworkers and coordinators record hotline requests.")
    details.validate()
    with transaction.atomic():
        if defender is None:
            if not defender_data:
                raise GrantError("Say who the request is for.", code="defender")
            defender = defender_create(by=by, **defender_data)
        grant, requester = _create_grant(defender=defender, details=details, channel=Channel.HOTLINE,
                                         recorded_by=by, attachments=attachments)
        grant_access(grant=grant, user=by)
    assert requester is not None
    return grant, requester


def grant_refer_from_partner(
    *, partner: Any, defender_data: dict[str, Any], details: RequestDetails
) -> Grant:
    """A partner organisation refers a case (the partner API exposes this)."""
    from protect.defenders.services import defender_create

    if not has_role(partner, Role.PARTNER):
        raise PermissionDenied("Only partner accounts refer cases.")
    details.validate()
    with transaction.atomic():
        defender = defender_create(by=partner, intake=True, **defender_data)
        grant, _ = _create_grant(defender=defender, details=details, channel=Channel.PARTNER, referred_by=partner,
                                 with_requester_secrets=False)
    return grant


# --- routing ------------------------------------------------------------------------------------


def sla_for(urgency: str, start: datetime) -> datetime:
    return start + timedelta(hours=settings.PROTECT_GRANT_SLA_HOURS[urgency])


def sla_near_for(urgency: str, start: datetime) -> datetime:
    hours = settings.PROTECT_GRANT_SLA_HOURS[urgency] * float(settings.PROTECT_GRANT_SLA_NEAR_FRACTION)
    return start + timedelta(hours=hours)


def _pick_team(grant: Grant) -> Any:
    from protect.accounts.models import Team

    in_region = Team.objects.filter(region=grant.region).order_by("pk")
    return (
        in_region.speaking(grant.language).first()
        or in_region.first()
        or Team.objects.speaking(grant.language).order_by("pk").first()
        or Team.objects.order_by("pk").first()
    )


def _pick_caseworker(team: Any) -> Any:
    """The caseworker of the team with the fewest open cases (ties: the longest without a new one)."""
    candidates = (
        team.members.filter(is_active=True, groups__name=Role.CASEWORKER)
        .annotate(open_cases=Count("grants_assigned", filter=Q(grants_assigned__status__in=Grant.OPEN_STATUSES)))
        .order_by("open_cases", "pk")
    )
    return candidates.first()


def grant_route(*, grant_id: int) -> Grant | None:
    """Assign a submitted grant to a team and caseworker, set its SLA. Safe to run twice."""
    with transaction.atomic():
        grant = Grant.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None or grant.status != S.SUBMITTED:
            return grant  # already routed (a redelivered task) or gone
        team = _pick_team(grant)
        caseworker = _pick_caseworker(team) if team is not None else None
        grant = GRANT_WORKFLOW.run(
            grant, "route", by=None, team=team, caseworker=caseworker,
            sla_due_at=sla_for(grant.urgency, grant.submitted_at),
        )
        if caseworker is not None:
            grant_access(grant=grant, user=caseworker)
            delivery_email(
                key=f"grants.assigned:{grant.pk}:{caseworker.pk}", to=caseworker.email,
                subject=f"New case {grant.reference} in your queue",
                body=f"A {grant.get_urgency_display().lower()} case, {grant.reference}, was assigned to you.\n"
                     f"Open it in Protect: /cases/{grant.reference}/\n",
            )
    return grant


# --- triage, questions, review ---------------------------------------------------------------


def _require_can_act(grant: Grant, by: Any) -> None:
    if not can_act_on_grant(by, grant):
        raise PermissionDenied("You may not act on this case.")


def grant_update_eligibility(
    *, grant: Grant, by: Any, hrd: bool, risk: bool, urgent: bool, no_other_source: bool
) -> Grant:
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        _require_can_act(grant, by)
        if grant.status not in (S.TRIAGE, S.INFO_REQUESTED):
            raise GrantError("The eligibility checklist is filled in during triage.", code="not_triage")
        grant.eligible_hrd, grant.eligible_risk = hrd, risk
        grant.eligible_urgent, grant.eligible_no_other_source = urgent, no_other_source
        grant.save(update_fields=["eligible_hrd", "eligible_risk", "eligible_urgent", "eligible_no_other_source"])
        log_event("grants.grant.eligibility_checked", actor=by, target=grant,
                  data={"hrd": hrd, "risk": risk, "urgent": urgent, "no_other_source": no_other_source})
    return grant


def grant_ask_requester(*, grant: Grant, by: Any, question: str) -> Message:
    """Send the requester a question (read on the status page); the case waits for the answer."""
    question = question.strip()
    if not question:
        raise GrantError("Write the question.", code="question")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        _require_can_act(grant, by)
        if grant.status in (S.TRIAGE, S.UNDER_REVIEW):
            grant = GRANT_WORKFLOW.run(grant, "request_info", by=by)
        elif grant.status != S.INFO_REQUESTED:
            raise GrantError("Questions can be asked during triage or review.", code="not_open")
        message = Message(grant=grant, direction=Message.Direction.TO_REQUESTER, body=question, author=by)
        message.full_clean()
        message.save()
        log_event("grants.message.sent", actor=by, target=grant, data={"message_id": message.pk})
    return message


def grant_requester_reply(*, grant: Grant, body: str) -> Message:
    """The requester answers from the status page; the case goes back to triage if it waited."""
    body = body.strip()
    if not body:
        raise GrantError("Write your answer.", code="answer")
    if len(body) > 10_000:
        raise GrantError("Your answer is too long (10,000 characters at most).", code="answer")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if not grant.is_open:
            raise GrantError("This request is closed; it cannot receive messages.", code="closed")
        message = Message(grant=grant, direction=Message.Direction.FROM_REQUESTER, body=body)
        message.full_clean()
        message.save()
        log_event("grants.message.received", actor="requester", target=grant, data={"message_id": message.pk})
        if grant.status == S.INFO_REQUESTED:
            GRANT_WORKFLOW.run(grant, "info_received", by=None)
    return message


def grant_submit_for_review(*, grant: Grant, by: Any, reviewer: Any) -> Grant:
    with transaction.atomic():
        grant = GRANT_WORKFLOW.run(grant, "submit_for_review", by=by, reviewer=reviewer,
                                   reviewer_id=getattr(reviewer, "pk", None))
        if grant.reviewer_id is not None:
            grant_access(grant=grant, user=grant.reviewer)
    return grant


VERIFICATION_CHOICES = {
    "endorser_contacted": "Endorser contacted",
    "partner_asked": "Partner organisation asked",
    "documents_checked": "Documents checked",
    "public_sources": "Public sources checked",
}


def grant_record_review(
    *, grant: Grant, by: Any, recommendation: str, verification: list[str], note: str,
    proposed_amount_minor: int | None = None,
) -> Grant:
    if recommendation not in Grant.Recommendation.values:
        raise GrantError("Choose a recommendation.", code="recommendation")
    if not verification or any(v not in VERIFICATION_CHOICES for v in verification):
        raise GrantError("Say which verification was done.", code="verification")
    if proposed_amount_minor is not None:
        _check_amount(proposed_amount_minor, "The proposed amount")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        _require_can_act(grant, by)
        if grant.status != S.UNDER_REVIEW:
            raise GrantError("A review is recorded while the case is under review.", code="not_under_review")
        if not has_any_role(by, (Role.REVIEWER, Role.COORDINATOR)):
            raise PermissionDenied("Only reviewers record a review.")
        if grant.prepared_by_id == by.pk:
            raise GrantError("You prepared this case: someone else must review it.", code="four_eyes")
        grant.recommendation = recommendation
        grant.verification = sorted(set(verification))
        grant.review_note = note.strip()
        grant.proposed_amount_minor = proposed_amount_minor
        grant.full_clean()
        grant.save(update_fields=["recommendation", "verification", "review_note", "proposed_amount_minor"])
        log_event("grants.grant.reviewed", actor=by, target=grant,
                  data={"recommendation": recommendation, "verification": grant.verification})
    return grant


def approvals_needed(amount_eur_minor: int) -> int:
    return 2 if amount_eur_minor > settings.PROTECT_GRANT_SECOND_APPROVAL_EUR * 100 else 1


def grant_approve(*, grant: Grant, by: Any, amount_minor: int, second_approver: Any = None) -> Grant:
    """Record `by`'s approval of `amount_minor` (grant currency); approve once enough approvers agree.

    Four eyes: nobody who prepared the case approves it. Above the second-approval threshold a
    second, different approver must agree on the same amount. The cap can never be exceeded.
    A repeated or concurrent approval by the same person is one approval."""
    _check_amount(amount_minor, "The approved amount")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.status == S.APPROVED and grant.approvals.filter(approver=by).exists():
            return grant  # a double click after approval
        if grant.status != S.UNDER_REVIEW:
            raise WorkflowError(f"Cannot approve: the case is {grant.get_status_display().lower()}.",
                                code="invalid_transition")
        if not has_any_role(by, (Role.REVIEWER, Role.COORDINATOR)) or not can_act_on_grant(by, grant):
            raise PermissionDenied("You may not approve this case.")
        if grant.prepared_by_id == by.pk:
            raise GrantError("You prepared this case: someone else must approve it.", code="four_eyes")
        if not grant.recommendation:
            raise GrantError("Record the review (recommendation and verification) before approving.",
                             code="review_missing")
        amount_eur_minor = to_eur_minor(amount_minor, grant.eur_rate)
        if amount_eur_minor > settings.PROTECT_GRANT_CAP_EUR * 100:
            raise GrantError(f"The amount is above the maximum grant of EUR {settings.PROTECT_GRANT_CAP_EUR:,}.",
                             code="cap")
        previous = list(grant.approvals.exclude(approver=by))
        if previous and any(a.amount_minor != amount_minor for a in previous):
            raise GrantError("The second approval must be for the same amount as the first.", code="amount_mismatch")
        Approval.objects.get_or_create(grant=grant, approver=by, defaults={"amount_minor": amount_minor})
        count = grant.approvals.count()
        needed = approvals_needed(amount_eur_minor)
        if count < needed:
            if second_approver is not None:
                _assign_second_approver(grant, by, second_approver)
            log_event("grants.grant.approval_recorded", actor=by, target=grant,
                      data={"amount_minor": amount_minor, "approvals": count, "needed": needed})
            return grant
        return GRANT_WORKFLOW.run(grant, "approve", by=by, amount_minor=amount_minor,
                                  amount_eur_minor=amount_eur_minor, approvals=count)


def _assign_second_approver(grant: Grant, by: Any, approver: Any) -> None:
    if approver.pk in (by.pk, grant.prepared_by_id):
        raise GrantError("The second approver must be a third person.", code="four_eyes")
    if not has_any_role(approver, (Role.REVIEWER, Role.COORDINATOR)):
        raise GrantError("The second approver must be an active reviewer.", code="second_approver")
    grant.second_approver = approver
    grant.save(update_fields=["second_approver"])
    grant_access(grant=grant, user=approver)
    log_event("grants.grant.second_approver_assigned", actor=by, target=grant, data={"approver_id": approver.pk})


def grant_transition(*, grant: Grant, by: Any, action: str, **params: Any) -> Grant:
    """Actions from the case page without their own use case: reject, refer, withdraw, close, …"""
    return GRANT_WORKFLOW.run(grant, action, by=by, **params)


# --- money out ----------------------------------------------------------------------------------


def grant_record_disbursement(
    *, grant: Grant, by: Any, payment_reference: str, amount_minor: int, payee_kind: str, payee_details: str,
    paid_on: date,
) -> Disbursement:
    """Finance records one instalment. The payment reference identifies the payment: recording it
    again (a retry, a double click) returns the same row; the grant moves to reporting when paid."""
    reference = payment_reference.strip()
    if not reference:
        raise GrantError("The payment reference is required.", code="payment_reference")
    _check_amount(amount_minor, "The payment")
    if payee_kind not in Disbursement.Payee.values:
        raise GrantError("Say who was paid.", code="payee_kind")
    if paid_on > timezone.localdate():
        raise GrantError("The payment date cannot be in the future.", code="paid_on")
    if not has_role(by, Role.FINANCE):
        raise PermissionDenied("Only finance records payments.")
    try:
        with transaction.atomic():
            grant = Grant.objects.select_for_update().get(pk=grant.pk)
            existing = Disbursement.objects.filter(payment_reference=reference).first()
            if existing is not None:
                if existing.grant_id == grant.pk and existing.amount_minor == amount_minor:
                    return existing
                raise Conflict("This payment reference is already recorded for another payment.",
                               code="payment_reference_used")
            if grant.status not in (S.APPROVED, S.DISBURSING):
                raise WorkflowError(f"Payments are recorded for approved grants; this one is "
                                    f"{grant.get_status_display().lower()}.", code="invalid_transition")
            paid = grant.disbursements.aggregate(total=Sum("amount_minor"))["total"] or 0
            assert grant.approved_amount_minor is not None
            if paid + amount_minor > grant.approved_amount_minor:
                raise GrantError("This payment would exceed the approved amount "
                                 f"({grant.approved_amount_minor - paid} {grant.currency} minor units left).",
                                 code="overpayment")
            disbursement = Disbursement(
                grant=grant, payment_reference=reference, amount_minor=amount_minor, currency=grant.currency,
                payee_kind=payee_kind, payee_details=payee_details.strip(), paid_on=paid_on, recorded_by=by,
            )
            disbursement.full_clean(validate_unique=False)
            disbursement.save()
            log_event("grants.disbursement.recorded", actor=by, target=grant,
                      data={"disbursement_id": disbursement.pk, "amount_minor": amount_minor,
                            "payee_kind": payee_kind, "payment_reference": reference})
            if grant.status == S.APPROVED:
                grant = GRANT_WORKFLOW.run(grant, "start_disbursing", by=by)
            if paid + amount_minor == grant.approved_amount_minor:
                due = timezone.now() + timedelta(days=settings.PROTECT_GRANT_REPORT_DAYS)
                GRANT_WORKFLOW.run(grant, "fully_paid", by=by, report_due_at=due)
            return disbursement
    except IntegrityError:
        # Another transaction recorded the same reference between our check and our insert.
        existing = Disbursement.objects.filter(payment_reference=reference).first()
        if existing is not None and existing.grant_id == grant.pk and existing.amount_minor == amount_minor:
            return existing
        raise Conflict("This payment reference is already recorded for another payment.",
                       code="payment_reference_used") from None


# --- reporting ----------------------------------------------------------------------------------


def grant_receive_report(
    *, grant: Grant, by: Any, narrative: str, receipts: list[UploadedFile] | None = None
) -> Report:
    narrative = narrative.strip()
    if not narrative:
        raise GrantError("Write what the report says.", code="narrative")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        _require_can_act(grant, by)
        if grant.status != S.REPORTING:
            raise GrantError("A report is received once the grant is fully paid.", code="not_reporting")
        if Report.objects.filter(grant=grant).exists():
            return grant.report
        report = Report(grant=grant, narrative=narrative, received_by=by)
        report.full_clean()
        report.save()
        for upload in receipts or []:
            grant_attach_file(grant=grant, by=by, uploaded_file=upload, kind=GrantFile.Kind.RECEIPT)
        log_event("grants.report.received", actor=by, target=grant, data={"receipts": len(receipts or [])})
    return report


def grant_waive_report(*, grant: Grant, by: Any, reason: str) -> Grant:
    """A coordinator waives the report when asking for receipts would put the defender at risk."""
    reason = reason.strip()
    if not reason:
        raise GrantError("Say why the report is waived.", code="reason")
    if not has_role(by, Role.COORDINATOR):
        raise PermissionDenied("Only a coordinator can waive a report.")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.status != S.REPORTING:
            raise GrantError("Only a grant waiting for its report can have it waived.", code="not_reporting")
        if grant.report_waived_by_id is not None:
            return grant
        grant.report_waived_by = by
        grant.report_waiver_reason = reason
        grant.save(update_fields=["report_waived_by", "report_waiver_reason"])
        log_event("grants.report.waived", actor=by, target=grant)
    return grant


# --- notes, files, reveals ----------------------------------------------------------------------


def grant_add_note(*, grant: Grant, by: Any, body: str) -> Note:
    body = body.strip()
    if not body:
        raise GrantError("The note is empty.", code="note")
    with transaction.atomic():
        _require_can_act(grant, by)
        note = Note(grant=grant, body=body, author=by)
        note.full_clean()
        note.save()
        log_event("grants.note.added", actor=by, target=grant, data={"note_id": note.pk})
    return note


def grant_attach_file(*, grant: Grant, by: Any, uploaded_file: UploadedFile, kind: str) -> GrantFile:
    from protect.crypto.files import store_upload

    with transaction.atomic():
        stored = store_upload(uploaded_file=uploaded_file, owner=grant.defender)
        attached = GrantFile.objects.create(grant=grant, file=stored, kind=kind, uploaded_by=by)
        log_event("grants.file.attached", actor=by, target=grant, data={"file_id": attached.pk, "kind": kind})
    return attached


def grant_reveal(*, grant: Grant, by: Any, fields: list[str]) -> None:
    """Record that `by` was shown the decrypted details of this grant."""
    with transaction.atomic():
        log_reveal(user=by, target=grant, fields=fields)


def grant_record_download(*, grant: Grant, by: Any, grant_file: GrantFile) -> None:
    """Record that `by` downloaded (decrypted) one of the case's files. The view has checked access."""
    with transaction.atomic():
        log_event("grants.file.downloaded", actor=by, target=grant,
                  data={"file_id": grant_file.pk, "kind": grant_file.kind})


# --- requester access (status page) -------------------------------------------------------------

STATUS_MAX_FAILURES = 5
STATUS_LOCK = timedelta(minutes=15)


@functools.cache
def _unknown_receipt_hash() -> str:
    return make_password(secrets.token_urlsafe(16))


def grant_for_requester(*, receipt_code: str, passphrase: str) -> Grant:
    """The grant a receipt code + passphrase open, or NotFound. Failed passphrases lock the receipt
    for a while, so guessing is slow even though no IP address is kept. Every attempt costs one
    password hash, whether the receipt exists, is locked or not, so timing tells nothing."""
    not_recognised = NotFound("Receipt code or passphrase not recognised.")
    code = receipt_code.strip().upper().replace(" ", "")
    if not code or not passphrase.strip():
        raise not_recognised
    index = _receipt_index(code)
    with transaction.atomic():
        grant = Grant.objects.select_for_update().filter(receipt_index=index).first()
        stored = grant.passphrase_hash if grant is not None else _unknown_receipt_hash()
        matches = check_password(_normalise_secret(passphrase), stored)
        if grant is None:
            raise not_recognised
        now = timezone.now()
        if grant.status_locked_until and grant.status_locked_until > now:
            raise not_recognised
        if matches:
            if grant.status_failures:
                grant.status_failures = 0
                grant.save(update_fields=["status_failures"])
            return grant
        grant.status_failures += 1
        if grant.status_failures >= STATUS_MAX_FAILURES:
            grant.status_locked_until = now + STATUS_LOCK
            grant.status_failures = 0
        grant.save(update_fields=["status_failures", "status_locked_until"])
    raise not_recognised  # after the commit: the failure stays counted


# --- periodic work ------------------------------------------------------------------------------


def grants_sweep_sla(*, now: datetime | None = None) -> int:
    """Escalate open cases near or past their SLA to the team's coordinator, once per threshold."""
    now = now or timezone.now()
    open_before_decision = (S.SUBMITTED, S.TRIAGE, S.INFO_REQUESTED, S.UNDER_REVIEW)
    candidates = (
        Grant.objects.filter(status__in=open_before_decision, sla_near_at__lte=now)
        .exclude(escalations__threshold=Escalation.Threshold.OVERDUE)
        .exclude(Q(escalations__threshold=Escalation.Threshold.NEAR) & Q(sla_due_at__gt=now))
        .values_list("pk", "sla_due_at")
    )
    escalated = 0
    for grant_id, due in candidates.iterator(chunk_size=500):
        threshold = Escalation.Threshold.OVERDUE if now >= due else Escalation.Threshold.NEAR
        if _escalate(grant_id, threshold):
            escalated += 1
    return escalated


def _escalate(grant_id: int, threshold: str) -> bool:
    try:
        with transaction.atomic():
            grant = Grant.objects.select_related("team__coordinator").get(pk=grant_id)
            _, created = Escalation.objects.get_or_create(grant=grant, threshold=threshold)
            if not created:
                return False
            log_event(f"grants.grant.escalated_{threshold}", actor=None, target=grant, data={"threshold": threshold})
            coordinator = grant.team.coordinator if grant.team is not None else None
            if coordinator is not None:
                what = "is past its deadline" if threshold == Escalation.Threshold.OVERDUE else "nears its deadline"
                delivery_email(key=f"grants.escalated:{grant.pk}:{threshold}", to=coordinator.email,
                               subject=f"Case {grant.reference} {what}",
                               body=f"Case {grant.reference} {what}. Open it in Protect: /cases/{grant.reference}/\n")
            return True
    except IntegrityError:
        return False  # a concurrent sweep escalated it


def grants_send_report_reminders(*, now: datetime | None = None) -> int:
    """Remind the caseworker of reports falling due (7 days before) and overdue (once each)."""
    now = now or timezone.now()
    sent = 0
    due = Grant.objects.filter(status=S.REPORTING, report_waived_by__isnull=True, report__isnull=True,
                               report_due_at__isnull=False)
    for stage, when in ((1, timedelta(days=7)), (2, timedelta(0))):
        batch = due.filter(report_reminders_sent__lt=stage, report_due_at__lte=now + when)
        for grant_id in batch.values_list("pk", flat=True):
            with transaction.atomic():
                grant = Grant.objects.select_for_update(of=("self",)).select_related("caseworker").get(pk=grant_id)
                if grant.report_reminders_sent >= stage:
                    continue
                grant.report_reminders_sent = stage
                grant.save(update_fields=["report_reminders_sent"])
                log_event("grants.report.reminder_sent", actor=None, target=grant, data={"stage": stage})
                if grant.caseworker is not None:
                    phrase = "is due in a week" if stage == 1 else "is due"
                    delivery_email(key=f"grants.report_due:{grant.pk}:{stage}", to=grant.caseworker.email,
                                   subject=f"Report for {grant.reference} {phrase}",
                                   body=f"The report for grant {grant.reference} {phrase}.\n")
                sent += 1
    return sent
