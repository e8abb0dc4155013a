"""Grants fixtures: a request as the hotline records it, and helpers to walk it through the workflow."""

from __future__ import annotations

import pytest

from grants.services import RequestDetails, grant_record_hotline

DEFENDER = {
    "pseudonym": "Kestrel",
    "legal_name": "Achieng Otieno",
    "country": "KE",
    "contacts": {"signal": "+254700000001"},
    "profiles": ["land_environment", "women_hrd"],
}


def details(**overrides):
    values = {
        "risk_kinds": ["threats", "surveillance"],
        "urgency": "high",
        "needs": ["legal", "digital_security"],
        "amount_requested_minor": 300_000,
        "currency": "EUR",
        "incident": "Police raided the community radio office and seized laptops.",
        "threat": "Summons to appear on charges of incitement next week.",
        "language": "en",
    }
    return RequestDetails(**(values | overrides))


@pytest.fixture
def hotline_grant(db, caseworker, team_africa):
    def make(**overrides):
        grant, _ = grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER), details=details(**overrides))
        return grant

    return make


STATES = ("triage", "info_requested", "under_review", "approved", "reporting", "closed")


@pytest.fixture
def grant_in(db, hotline_grant, caseworker, reviewer, finance):
    """A new routed grant walked through the services to `state` (one of STATES)."""
    import datetime

    from grants import services
    from grants.models import Grant
    from protect.cases.services.casefile import case_ask_requester
    from protect.cases.services.routing import case_route
    from protect.cases.services.transitions import case_transition

    def make(state: str) -> Grant:
        grant = case_route(model=Grant, case_id=hotline_grant().pk)
        if state == "info_requested":
            case_ask_requester(case=grant, by=caseworker, question="Which phone was seized?")
        if state in ("triage", "info_requested"):
            return Grant.objects.get(pk=grant.pk)
        services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                          no_other_source=True)
        grant = services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
        if state == "under_review":
            return grant
        services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                     verification=["partner_asked"], note="Partner confirmed.")
        grant = services.grant_approve(grant=grant, by=reviewer, amount_minor=300_000)
        if state == "approved":
            return grant
        services.grant_record_disbursement(grant=grant, by=finance, payment_reference=f"PAY-{grant.pk}",
                                           amount_minor=300_000, payee_kind="defender",
                                           payee_details="Account 12-345", paid_on=datetime.date.today())
        grant = Grant.objects.get(pk=grant.pk)
        if state == "reporting":
            return grant
        services.grant_receive_report(grant=grant, by=caseworker, narrative="Lawyer paid; laptops replaced.")
        return case_transition(case=Grant.objects.get(pk=grant.pk), by=caseworker, action="close")

    return make
