"""Relocation fixtures: an application as the public form makes it, hosts, and a walker that takes a
relocation through the services to a given stage."""

from __future__ import annotations

import datetime

import pytest

from protect.cases.services.routing import case_route
from relocation.models import Relocation
from relocation.services import (
    ApplicationDetails,
    FamilyDetails,
    host_create,
    relocation_apply_public,
    relocation_assess,
    relocation_match,
    relocation_start_residence,
)

DEFENDER = {
    "pseudonym": "Swift",
    "legal_name": "Leila Mansour",
    "country": "KE",
    "contacts": {"signal": "+254700000009"},
    "profiles": ["journalist"],
}
START = datetime.date(2031, 3, 1)
END = datetime.date(2031, 8, 31)


def application(**overrides):
    values = {
        "applicant": "third_party", "urgency": "high",
        "risk": "Followed and threatened after the land-rights report.",
        "why_relocation": "Protective measures at home failed twice.",
        "preferred_country": "Germany", "visa_plan": "Humanitarian visa through the host.",
        "family": [FamilyDetails("18-64", "Needs a job search"), FamilyDetails("0-11", "School")],
    }
    return ApplicationDetails(**(values | overrides))


@pytest.fixture
def host_of(db, coordinator):
    def make(**overrides):
        values = {"organisation": "University of Ghent", "city": "Ghent", "country": "BE", "languages": ["en", "fr"],
                  "places": 1, "family_places": 3, "offers": ["housing", "stipend"]}
        return host_create(by=coordinator, **(values | overrides))

    return make


@pytest.fixture
def applied(db, team_africa):
    """A public application, routed to the Africa desk (assessing)."""

    def make(**overrides) -> Relocation:
        relocation, _secrets = relocation_apply_public(defender_data=dict(DEFENDER), details=application(**overrides))
        routed = case_route(model=Relocation, case_id=relocation.pk)
        assert routed is not None
        return Relocation.objects.get(pk=routed.pk)

    return make


@pytest.fixture
def relocation_in(db, applied, caseworker, host_of):
    """A new relocation walked through the services to `state`."""

    def make(state: str, *, host=None, starts_on=START, ends_on=END, **overrides) -> Relocation:
        relocation = applied(**overrides)
        if state == "assessing":
            return relocation
        relocation = relocation_assess(relocation=relocation, by=caseworker, assessment="Eligible; urgent.")
        if state == "host_matching":
            return relocation
        relocation = relocation_match(relocation=relocation, by=caseworker, host=host or host_of(),
                                      starts_on=starts_on, ends_on=ends_on)
        if state == "preparing":
            return relocation
        relocation = relocation_start_residence(relocation=relocation, by=caseworker)
        assert state == "in_residence"
        return relocation

    return make
