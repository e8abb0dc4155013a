"""GET /api/v1/alerts/: published alerts exactly as their public pages show them, to tokens with the
alerts:read scope."""

from __future__ import annotations

import pytest

from alerts.services.consent import alert_consent_revoke_in_force
from protect.accounts.models import ApiScope
from tests.alerts.conftest import FRENCH, TEXTS
from tests.api.conftest import Partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(db):
    return Partner("Alert reader", scopes=[ApiScope.ALERTS_READ])


def test_published_alerts_come_with_their_consented_text_only(reader, alert_in):
    published = alert_in("published")
    alert_in("approved")  # not published: never listed
    body = reader.get("/api/v1/alerts/").json()
    assert body["next_page"] is None
    [alert] = body["results"]
    assert alert["slug"] == published.public_slug and alert["url"] == f"/alerts/{published.public_slug}/"
    assert alert["title"] == TEXTS["title"] and alert["language"] == "en"
    assert alert["name"] == ""  # naming not consented
    assert "Named Person" not in str(body) and "Kestrel" not in str(body)


def test_the_reader_gets_the_reviewed_translation_of_its_language(reader, alert_in):
    alert_in("published")
    [alert] = reader.get("/api/v1/alerts/?language=fr").json()["results"]
    assert alert["language"] == "fr" and alert["title"] == FRENCH["title"]


def test_a_revoked_consent_takes_the_alert_out_of_the_api_at_once(reader, alert_in, caseworker):
    published = alert_in("published")
    alert_consent_revoke_in_force(alert=published, by=caseworker)
    assert reader.get("/api/v1/alerts/").json()["results"] == []


def test_alerts_need_the_alerts_scope_and_a_bad_query_is_a_400(reader, alert_in):
    referrer = Partner("Referrer", scopes=[ApiScope.REFERRALS_READ])
    assert referrer.get("/api/v1/alerts/").status_code == 403
    assert reader.get("/api/v1/alerts/?language=xx").status_code == 400
    assert reader.get("/api/v1/alerts/?page=0").status_code == 400
