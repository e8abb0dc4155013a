"""Money out: finance records a grant's payments, in instalments, each once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from protect.audit.services import log_event
from protect.cases.forms import money
from protect.core.errors import Conflict, clean_or_refuse

from ..models import Disbursement, Grant, payment_reference_index
from ..money import GrantError, check_amount
from ..workflow import GRANT_WORKFLOW

S = Grant.Status


@dataclass(frozen=True)
class RecordedPayment:
    disbursement: Disbursement
    already_recorded: bool  # the same payment sent again (a retry, a double click): nothing changed


def _same_payment(index: str, grant: Grant, amount_minor: int, by: Any) -> RecordedPayment:
    """A retry by the person who recorded it returns the row; anything else is another payment."""
    existing = Disbursement.objects.filter(payment_reference_index=index).first()
    if (existing is not None and existing.grant_id == grant.pk and existing.amount_minor == amount_minor
            and existing.recorded_by_id == getattr(by, "pk", None)):
        return RecordedPayment(existing, already_recorded=True)
    raise Conflict("This payment reference is already recorded for another payment: nothing changed. "
                   "Check the reference.", code="payment_reference_used")


def grant_record_disbursement(
    *, grant: Grant, by: Any, payment_reference: str, amount_minor: int, payee_kind: str, payee_details: str,
    paid_on: date,
) -> Disbursement:
    """Finance records one instalment (see grant_record_payment); the row, new or recorded before."""
    return grant_record_payment(grant=grant, by=by, payment_reference=payment_reference, amount_minor=amount_minor,
                                payee_kind=payee_kind, payee_details=payee_details, paid_on=paid_on).disbursement


def grant_record_payment(
    *, grant: Grant, by: Any, payment_reference: str, amount_minor: int, payee_kind: str, payee_details: str,
    paid_on: date,
) -> RecordedPayment:
    """Finance records one instalment. The payment reference identifies the payment: recording it
    again (a retry, a double click) returns the same row and says so; the grant moves to reporting
    when paid."""
    reference = payment_reference.strip()
    if not reference:
        raise GrantError("The payment reference is required.", code="payment_reference", field="payment_reference")
    check_amount(amount_minor, "The payment")
    if payee_kind not in Disbursement.Payee.values:
        raise GrantError("Say who was paid.", code="payee_kind", field="payee_kind")
    index = payment_reference_index(reference)
    if paid_on > timezone.localdate():
        raise GrantError("The payment date cannot be in the future.", code="paid_on", field="paid_on")
    try:
        with transaction.atomic():
            Grant.objects.select_for_update().get(pk=grant.pk)  # payments to one grant are serialised
            if Disbursement.objects.filter(payment_reference_index=index).exists():
                return _same_payment(index, grant, amount_minor, by)
            with GRANT_WORKFLOW.acting(grant, "record_payment", by=by) as grant:
                paid = grant.disbursements.aggregate(total=Sum("amount_minor"))["total"] or 0
                assert grant.approved_amount_minor is not None
                if paid + amount_minor > grant.approved_amount_minor:
                    left = money(grant.approved_amount_minor - paid, grant.currency)
                    raise GrantError(f"This payment would exceed the approved amount: {left} is left to pay. "
                                     "Nothing changed.",
                                     code="overpayment", field="amount")
                disbursement = Disbursement(
                    grant=grant, payment_reference=reference, payment_reference_index=index,
                    amount_minor=amount_minor, currency=grant.currency,
                    payee_kind=payee_kind, payee_details=payee_details.strip(), paid_on=paid_on, recorded_by=by,
                )
                clean_or_refuse(disbursement, validate_unique=False)
                disbursement.save()
                log_event("grants.disbursement.recorded", actor=by, target=grant,
                          data={"disbursement_id": disbursement.pk, "amount_minor": amount_minor,
                                "payee_kind": payee_kind})  # never the reference: it is free text
                if grant.status == S.APPROVED:
                    grant = GRANT_WORKFLOW.run(grant, "start_disbursing", by=by)
                if paid + amount_minor == grant.approved_amount_minor:
                    due = timezone.now() + timedelta(days=settings.PROTECT_GRANT_REPORT_DAYS)
                    GRANT_WORKFLOW.run(grant, "fully_paid", by=by, report_due_at=due)
                return RecordedPayment(disbursement, already_recorded=False)
    except IntegrityError:
        # Another transaction recorded the same reference between our check and our insert.
        return _same_payment(index, grant, amount_minor, by)
