"""The defender page lists the defender's requests of every kind and their consents; a defender
is visible to whoever may see one of their cases (issue 9, items 7 and 8)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alerts.services.drafting import alert_draft
from grants.models import Grant
from grants.services import grant_submit_public
from protect.cases.selectors import defender_get_for
from protect.cases.services.routing import case_route
from protect.core.errors import NotFound
from protect.defenders.services import consent_record
from tests.alerts.conftest import TEXTS as ALERT_TEXTS
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_grant(team_africa, caseworker):
    grant, _ = grant_submit_public(defender_data=dict(DEFENDER), details=details())
    return case_route(model=Grant, case_id=grant.pk)


def test_a_defender_from_the_public_form_is_visible_to_the_caseworker_of_their_case(public_grant, caseworker):
    assert defender_get_for(caseworker, public_grant.defender.reference.lower()) == public_grant.defender


def test_a_defender_stays_hidden_from_another_team(public_grant, caseworker_other_team, outsider):
    for user in (caseworker_other_team, outsider):
        with pytest.raises(NotFound):
            defender_get_for(user, public_grant.defender.reference)


def test_hotline_intake_finds_the_returning_defender_of_ones_own_case(client, public_grant, caseworker):
    login_verified(client, caseworker)
    form = client.get("/cases/new/").content.decode()
    token = form.split('name="intake_token" value="')[1].split('"')[0]
    response = client.post("/cases/new/", {
        "intake_token": token, "defender_reference": public_grant.defender.reference, "urgency": "high",
        "risk_kinds": ["threats"], "needs": ["legal"], "amount": "1500", "currency": "EUR",
        "incident": "Called again: a second summons.", "language": "en",
    })
    page = response.content.decode()
    assert "No defender with this reference that you may see" not in page
    assert Grant.objects.filter(defender=public_grant.defender).count() == 2, page[:3000]


def test_the_defender_page_lists_requests_of_every_kind_and_consents(client, public_grant, caseworker, coordinator):
    defender = public_grant.defender
    alert = alert_draft(by=caseworker, defender=defender, language="en", **ALERT_TEXTS)
    consent_record(defender=defender, by=coordinator, purpose="public_alert", scope="Name and photo, in English.",
                   method="written", given_at=timezone.now(), valid_until=datetime.date.today())
    login_verified(client, caseworker)
    page = client.get(f"/defenders/{defender.reference}/").content.decode()
    assert public_grant.reference in page and alert.reference in page
    assert "Naming in a public alert" in page and "Name and photo" not in page  # the scope is not decrypted


def test_the_defender_page_is_hidden_from_who_sees_none_of_their_cases(client, public_grant, caseworker_other_team):
    login_verified(client, caseworker_other_team)
    assert client.get(f"/defenders/{public_grant.defender.reference}/").status_code == 404
