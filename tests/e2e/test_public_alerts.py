"""A reader with JavaScript off finds a published alert, reads it in French, follows the feed link;
once the defender revokes the consent, the same address says the alert is gone."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from alerts.services.consent import alert_consent_revoke
from alerts.services.drafting import alert_update
from tests.alerts.conftest import FRENCH, TEXTS, alert_in, consent_for  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reader_without_javascript_reads_an_alert_in_french_until_it_is_taken_down(
        live_server, page_without_js, alert_in, caseworker):  # noqa: F811
    page = page_without_js
    origin = urlparse(live_server.url).netloc
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    alert = alert_in("published")
    alert_update(alert=alert, by=caseworker, idempotency_key="k", news="Moved to another prison.")

    page.goto(f"{live_server.url}/fr/alerts/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name=FRENCH["title"]).click()
    assert page.url == f"{live_server.url}/fr/alerts/{alert.public_slug}/"
    assert page.locator("h1").inner_text() == FRENCH["title"]
    assert page.locator("h1").get_attribute("dir") == "auto"
    assert "Moved to another prison." in page.locator("#update-1").inner_text()  # untranslated update: source
    assert page.locator("#update-1 div[dir=auto]").get_attribute("lang") == "en"

    page.get_by_role("link", name="English").click()  # the language menu keeps the same alert
    assert page.url == f"{live_server.url}/alerts/{alert.public_slug}/"
    assert page.locator("h1").inner_text() == TEXTS["title"]

    feed = page.request.get(f"{live_server.url}/alerts/feed/")
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")

    alert_consent_revoke(scope=alert.consent_in_force(), by=caseworker)
    response = page.goto(f"{live_server.url}/fr/alerts/{alert.public_slug}/")
    assert response.status == 410
    assert TEXTS["title"] not in page.content() and FRENCH["title"] not in page.content()
    page.goto(f"{live_server.url}/fr/alerts/")
    assert page.get_by_role("link", name=FRENCH["title"]).count() == 0
    assert [url for url in requested if urlparse(url).netloc != origin] == []
