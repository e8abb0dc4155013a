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
