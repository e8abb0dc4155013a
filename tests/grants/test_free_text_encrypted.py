"""The referral target and payment references are sealed under the defender's key, never copied
into audit data, and gone with the defender's erasure; a payment reference still identifies one
payment (its keyed blind index is unique)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from grants import services
from grants.models import Disbursement, Grant
from protect.audit.models import AuditEvent
from protect.cases.services.routing import case_route
from protect.cases.services.transitions import case_transition
from protect.core.errors import Conflict
from protect.crypto.errors import DataKeyDestroyed
from protect.defenders.services import defender_erase

pytestmark = pytest.mark.django_db

REFERRAL = "Lawyers for Lawyers, Kisumu office"
PAYMENT = "MPESA-QX77-KISUMU"


def _raw(sql: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        return bytes(cursor.fetchone()[0])


def _audit_text() -> str:
    return " ".join(str(data) for data in AuditEvent.objects.values_list("data", flat=True))


def test_a_referral_is_sealed_kept_out_of_the_audit_and_erased(hotline_grant, caseworker, coordinator):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case_transition(case=grant, by=caseworker, action="refer", referred_to=REFERRAL, reason="Better placed.")
    assert Grant.objects.get(pk=grant.pk).referred_to == REFERRAL
    assert b"Lawyers" not in _raw("SELECT referred_to FROM grants_grant WHERE id = %s", grant.pk)
    assert "Lawyers" not in _audit_text()
    defender_erase(defender=grant.defender, by=coordinator, reason="Asked to be forgotten.")
    with pytest.raises(DataKeyDestroyed):
        _ = Grant.objects.select_related("defender__data_key").get(pk=grant.pk).referred_to


def test_a_payment_reference_is_sealed_indexed_kept_out_of_the_audit_and_erased(grant_in, finance, coordinator):
    grant = grant_in("approved")
    payment = services.grant_record_disbursement(
        grant=grant, by=finance, payment_reference=PAYMENT, amount_minor=100_000, payee_kind="defender",
        payee_details="M-Pesa +254 700 000 001", paid_on=datetime.date.today())
    assert b"MPESA" not in _raw("SELECT payment_reference FROM grants_disbursement WHERE id = %s", payment.pk)
    assert "MPESA" not in _audit_text() and "MPESA" not in str(payment)
    # The same reference again is the same payment; for another amount, another payment: refused.
    again = services.grant_record_disbursement(
        grant=grant, by=finance, payment_reference=PAYMENT, amount_minor=100_000, payee_kind="defender",
        payee_details="", paid_on=datetime.date.today())
    assert again.pk == payment.pk and Disbursement.objects.count() == 1
    with pytest.raises(Conflict):
        services.grant_record_disbursement(
            grant=grant, by=finance, payment_reference=PAYMENT, amount_minor=5_000, payee_kind="defender",
            payee_details="", paid_on=datetime.date.today())
    defender_erase(defender=grant.defender, by=coordinator, reason="Asked to be forgotten.")
    with pytest.raises(DataKeyDestroyed):
        _ = Disbursement.objects.select_related("grant__defender__data_key").get(pk=payment.pk).payment_reference
