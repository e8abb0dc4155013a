"""Double clicks and retries at scale: many parallel identical requests change things once."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from grants import services
from grants.models import Approval, Disbursement, Grant
from protect.audit.models import AuditEvent
from protect.cases.services.routing import case_route
from protect.core.errors import ProtectError

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 100
# PostgreSQL allows 100 connections by default; 30 threads keep 100 requests truly overlapping.
THREADS = 30


def _in_threads(fn):
    def call(_):
        try:
            return fn()
        except ProtectError as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(call, range(PARALLEL)))


@pytest.fixture
def grant_under_review(hotline_grant, caseworker, reviewer):
    grant = hotline_grant(amount_requested_minor=300_000)
    grant = case_route(model=Grant, case_id=grant.pk)
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve", verification=["partner_asked"],
                                 note="ok")
    return Grant.objects.get(pk=grant.pk)


def test_a_hundred_parallel_approvals_give_one_approval(grant_under_review, reviewer):
    results = _in_threads(lambda: services.grant_approve(grant=grant_under_review, by=reviewer, amount_minor=300_000))
    assert [r for r in results if isinstance(r, Exception)] == []
    grant = Grant.objects.get(pk=grant_under_review.pk)
    assert grant.status == "approved"
    assert Approval.objects.filter(grant=grant).count() == 1
    assert AuditEvent.objects.filter(action="grants.grant.approve", target_id=str(grant.pk)).count() == 1


def test_a_hundred_parallel_identical_payments_give_one_payment(grant_under_review, reviewer, finance):
    services.grant_approve(grant=grant_under_review, by=reviewer, amount_minor=300_000)
    today = datetime.date.today()
    results = _in_threads(lambda: services.grant_record_disbursement(
        grant=grant_under_review, by=finance, payment_reference="BANK-2026-0001", amount_minor=100_000,
        payee_kind="third_party", payee_details="Hospital", paid_on=today,
    ))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len({r.pk for r in results}) == 1
    assert Disbursement.objects.filter(grant=grant_under_review).count() == 1
    assert AuditEvent.objects.filter(action="grants.disbursement.recorded").count() == 1
    assert Grant.objects.get(pk=grant_under_review.pk).status == "disbursing"


def test_the_same_payment_reference_for_another_amount_is_refused(grant_under_review, reviewer, finance):
    services.grant_approve(grant=grant_under_review, by=reviewer, amount_minor=300_000)
    today = datetime.date.today()
    services.grant_record_disbursement(grant=grant_under_review, by=finance, payment_reference="X-1",
                                       amount_minor=100_000, payee_kind="defender", payee_details="", paid_on=today)
    with pytest.raises(ProtectError, match="already recorded"):
        services.grant_record_disbursement(grant=grant_under_review, by=finance, payment_reference="X-1",
                                           amount_minor=200_000, payee_kind="defender", payee_details="",
                                           paid_on=today)
    assert Disbursement.objects.count() == 1
