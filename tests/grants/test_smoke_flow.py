"""A grant walks the whole workflow through the services (the UI and worker tests build on this)."""

import datetime

import pytest

from grants import services
from grants.models import Grant
from protect.cases.services.casefile import case_ask_requester, case_requester_reply
from protect.cases.services.requester import case_for_requester
from protect.cases.services.routing import case_route
from protect.cases.services.transitions import case_transition

pytestmark = pytest.mark.django_db


def test_a_hotline_grant_goes_from_intake_to_closed(hotline_grant, caseworker, reviewer, approver, finance, coordinator):
    grant = hotline_grant(amount_requested_minor=600_000)
    assert grant.status == "submitted"
    grant = case_route(model=Grant, case_id=grant.pk)
    assert grant.status == "triage" and grant.caseworker == caseworker
    case_ask_requester(case=grant, by=caseworker, question="Which court?")
    grant.refresh_from_db()
    assert grant.status == "info_requested"
    case_requester_reply(case=grant, body="The Nairobi high court.")
    grant.refresh_from_db()
    assert grant.status == "triage"
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True, no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                 verification=["endorser_contacted"], note="Endorser confirmed.")
    grant = services.grant_approve(grant=grant, by=reviewer, amount_minor=600_000, second_approver=approver)
    assert grant.status == "under_review"
    grant = services.grant_approve(grant=grant, by=approver, amount_minor=600_000)
    assert grant.status == "approved"
    today = datetime.date.today()
    services.grant_record_disbursement(grant=grant, by=finance, payment_reference="PAY-1", amount_minor=300_000,
                                       payee_kind="third_party", payee_details="Law firm", paid_on=today)
    services.grant_record_disbursement(grant=grant, by=finance, payment_reference="PAY-2", amount_minor=300_000,
                                       payee_kind="defender", payee_details="", paid_on=today)
    grant.refresh_from_db()
    assert grant.status == "reporting" and grant.report_due_at is not None
    services.grant_waive_report(grant=grant, by=coordinator, reason="Receipts would expose the defender.")
    grant = case_transition(case=grant, by=caseworker, action="close")
    assert grant.status == Grant.Status.CLOSED


def test_a_public_request_creates_a_defender_nobody_can_see_until_routing(team_africa, caseworker, caseworker_other_team):
    from grants.selectors import grants_visible_to
    from tests.grants.conftest import DEFENDER, details

    grant, requester = services.grant_submit_public(defender_data=dict(DEFENDER), details=details())
    assert grant.channel == "public_form" and grant.defender.created_by is None
    assert len(requester.receipt_code.replace("-", "")) == 12 and len(requester.passphrase.split()) == 7
    assert not grants_visible_to(caseworker).filter(pk=grant.pk).exists()
    case_route(model=Grant, case_id=grant.pk)
    assert grants_visible_to(caseworker).filter(pk=grant.pk).exists()
    assert not grants_visible_to(caseworker_other_team).filter(pk=grant.pk).exists()
    assert case_for_requester(receipt_code=requester.receipt_code, passphrase=requester.passphrase) == grant


def test_a_partner_referral_is_recorded_with_its_partner_and_only_that_partner_sees_it(team_africa, partner, hotline_grant):
    from grants.selectors import grants_visible_to
    from protect.core.errors import PermissionDenied
    from tests.grants.conftest import DEFENDER, details
    from tests.helpers import make_user

    other_case = hotline_grant()
    grant = services.grant_refer_from_partner(partner=partner, defender_data=dict(DEFENDER), details=details())
    assert grant.channel == "partner" and grant.referred_by == partner and grant.receipt_index is None
    assert list(grants_visible_to(partner)) == [grant]
    assert other_case not in grants_visible_to(partner)
    other_partner = make_user("other-ngo", "partner")
    assert not grants_visible_to(other_partner).exists()
    with pytest.raises(PermissionDenied):
        services.grant_refer_from_partner(partner=make_user("not-a-partner", "donor"), defender_data=dict(DEFENDER),
                                          details=details())
