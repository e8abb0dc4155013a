"""The public relocation application, through the client: one application makes one relocation,
one defender and its family, in the language of the URL; the receipt opens the same status page
as every request."""

from __future__ import annotations

import re
import time

import pytest

from protect.cases.services.casefile import case_ask_requester
from protect.cases.services.requester import case_for_requester
from protect.cases.services.routing import case_route
from protect.cases.status_page import STATUS_LOGIN_FORM
from protect.defenders.models import Defender
from protect.outbox.models import OutboxMessage
from protect.public.form_token import form_token_issue
from relocation.models import Relocation
from relocation.public_forms import APPLICATION_FORM

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 100_000
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 100_000


def aged_token(purpose: str = APPLICATION_FORM) -> str:
    """A token served ten seconds ago: past the minimum fill time."""
    return form_token_issue(purpose=purpose, now=time.time() - 10)


def application_data(**overrides):
    data = {
        "form_token": aged_token(), "homepage": "",
        "applicant": "third_party", "kind": "person", "pseudonym": "Heron", "legal_name": "Nadia Haddad",
        "channel": "signal", "contact": "+961 70 000 000", "country": "LB", "location": "Tripoli",
        "risk": "Summoned to the military court; my house was raided twice.", "urgency": "critical",
        "why_relocation": "Local protection failed: the raids continued.",
        "preferred_country": "France", "why_country": "I speak French; a university invited me.",
        "visa_plan": "Talent passport through the host.", "travel_security_plan": "By land to Beirut first.",
        "planned_activities": "Research and advocacy.", "other_funders": "None.",
        "intended_return_on": "2032-06-01", "return_strategy": "Return once the trial ends, with monitoring.",
        "family1_age_band": "18-64", "family1_needs": "Spouse, diabetic",
        "family2_age_band": "0-11", "family2_needs": "School place",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def secrets_in(html: str) -> tuple[str, str]:
    receipt = RECEIPT.search(html).group(0)
    passphrase = re.findall(r'<span class="secret" dir="ltr">([^<]+)</span>', html)[1]
    return receipt, passphrase


@pytest.mark.parametrize("prefix", ["", "/ar", "/en", "/es", "/fr", "/ru"])
def test_the_application_form_is_served_in_each_language(client, prefix):
    response = client.get(f"{prefix}/relocation/apply/")
    assert response.status_code == 200
    assert response["Content-Language"] == (prefix.strip("/") or "en")
    assert 'name="form_token"' in response.content.decode()


def test_a_third_party_applies_in_arabic_and_reads_the_status_page(client, team_africa, caseworker):
    response = client.post("/ar/relocation/apply/", application_data(country="KE"))

    assert response.status_code == 200
    receipt, passphrase = secrets_in(response.content.decode())
    relocation = Relocation.objects.get()
    assert relocation.reference.startswith("R-")
    assert (relocation.language, relocation.channel, relocation.status) == ("ar", "public_form", "requested")
    assert relocation.applicant == "third_party" and relocation.urgency == "critical"
    assert relocation.risk.startswith("Summoned") and relocation.visa_plan == "Talent passport through the host."
    assert [(m.age_band, m.needs) for m in relocation.family.all()] == [("18-64", "Spouse, diabetic"),
                                                                        ("0-11", "School place")]
    assert Defender.objects.get().legal_name == "Nadia Haddad"
    assert OutboxMessage.objects.get(task_name="cases.route").kwargs == {
        "case_type": "relocation.relocation", "case_id": relocation.pk}
    assert case_for_requester(receipt_code=receipt, passphrase=passphrase) == relocation

    relocation = case_route(model=Relocation, case_id=relocation.pk)
    case_ask_requester(case=relocation, by=caseworker, question="Which border crossing is safe for you?")
    client.post("/ar/request/status/", {"action": "login", "receipt_code": receipt, "passphrase": passphrase,
                                        "form_token": aged_token(STATUS_LOGIN_FORM)})
    status_page = client.get("/ar/request/status/").content.decode()
    assert "Which border crossing is safe for you?" in status_page


def test_the_same_form_sent_twice_makes_one_relocation(client):
    data = application_data()
    client.post("/relocation/apply/", data)
    again = client.post("/relocation/apply/", data)
    assert "already received" in again.content.decode()
    assert Relocation.objects.count() == 1


def test_missing_risk_is_shown_beside_the_field_and_nothing_is_stored(client):
    response = client.post("/relocation/apply/", application_data(risk=""))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Relocation.objects.exists() and not Defender.objects.exists()


def test_family_needs_without_an_age_band_are_refused(client):
    response = client.post("/relocation/apply/", application_data(family1_age_band=""))
    assert "Choose the age band of this family member." in response.content.decode()
    assert not Relocation.objects.exists()


def test_a_return_date_in_the_past_is_refused_by_the_service_rule(client):
    response = client.post("/relocation/apply/", application_data(intended_return_on="2001-01-01"))
    assert "The intended return date is in the past." in response.content.decode()
    assert not Relocation.objects.exists()


def test_a_token_of_the_grant_form_is_worth_nothing_here(client):
    response = client.post("/relocation/apply/", application_data(form_token=aged_token("grants.public.request-form")))
    assert "open for too long" in response.content.decode()
    assert not Relocation.objects.exists()


def test_the_honeypot_gets_a_decoy_receipt_and_nothing_is_stored(client):
    response = client.post("/relocation/apply/", application_data(homepage="http://spam.example"))
    assert response.status_code == 200 and RECEIPT.search(response.content.decode())
    assert not Relocation.objects.exists()
