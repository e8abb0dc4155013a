"""The public pages /alerts/ and /alerts/<slug>/ (and under /<lang>/): only published alerts whose
consent allows a public page and is in force, only the consented text, in the reader's language
when a reviewed translation exists; no script and nothing from another origin."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import SLUG_ALPHABET, SLUG_LENGTH, Alert
from alerts.services.drafting import alert_close, alert_update, alert_withdraw
from alerts.services.translations import (
    alert_translation_save,
    alert_update_translation_review,
    alert_update_translation_save,
)
from tests.alerts.conftest import FRENCH, TEXTS

pytestmark = pytest.mark.django_db

SPANISH = {"title": "Abogada detenida", "summary": "Una abogada fue detenida.", "facts": "Sin cargos.",
           "requested_actions": "Pidan su liberación."}


def page(client, alert, lang=None):
    prefix = f"/{lang}" if lang else ""
    return client.get(f"{prefix}/alerts/{alert.public_slug}/")


def test_a_published_alert_is_listed_and_has_its_page(client, alert_in):
    alert = alert_in("published")
    listing = client.get("/alerts/")
    assert listing.status_code == 200
    assert TEXTS["title"] in listing.text and f"/alerts/{alert.public_slug}/" in listing.text
    response = page(client, alert)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    for text in (TEXTS["title"], TEXTS["summary"], TEXTS["requested_actions"]):
        assert text in response.text


def test_the_slug_is_random_and_says_nothing_about_the_defender_or_the_case(alert_in):
    alert = alert_in("published")
    assert re.fullmatch(f"[{SLUG_ALPHABET}]{{{SLUG_LENGTH}}}", alert.public_slug)
    for identifying in (alert.reference, alert.defender.reference, alert.defender.pseudonym, "named", "person",
                        "lawyer"):
        assert identifying.lower() not in alert.public_slug
    slug = alert.public_slug
    alert_update(alert=alert, by=alert.caseworker, idempotency_key="k", news="Moved to another prison.")
    assert Alert.objects.get(pk=alert.pk).public_slug == slug  # stable: a shared link keeps working


def test_pages_need_no_script_load_nothing_from_elsewhere_and_let_typed_text_choose_its_direction(client, alert_in):
    alert = alert_in("published")
    alert_update(alert=alert, by=alert.caseworker, idempotency_key="k", news="Moved to another prison.")
    for url in ("/alerts/", f"/alerts/{alert.public_slug}/", "/ar/alerts/", f"/ar/alerts/{alert.public_slug}/"):
        html = client.get(url).text
        assert "<script" not in html.lower()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), url
        assert 'rel="alternate" type="application/atom+xml"' in html
    html = page(client, alert).text
    assert html.count('dir="auto"') >= 4  # title, summary, actions, the update
    assert '<html lang="ar" dir="rtl">' in client.get("/ar/alerts/").text


def test_the_reader_gets_the_reviewed_translation_of_their_language(client, alert_in):
    alert = alert_in("published")
    french = page(client, alert, "fr")
    assert FRENCH["title"] in french.text and TEXTS["title"] not in french.text
    assert f'<h1 dir="auto" lang="fr">{FRENCH["title"]}</h1>' in french.text
    assert french["Content-Language"] == "fr"
    listing = client.get("/fr/alerts/").text
    assert FRENCH["title"] in listing and "<h1>Alertes urgentes</h1>" in listing  # the page's own words too
    assert "نداءات عاجلة" in client.get("/ar/alerts/").text


def test_without_a_reviewed_translation_the_source_language_is_shown_and_said(client, alert_in, caseworker):
    alert = alert_in("published")
    alert_translation_save(alert=alert, by=caseworker, language="es", **SPANISH)  # not reviewed
    spanish = page(client, alert, "es")
    assert TEXTS["title"] in spanish.text and SPANISH["title"] not in spanish.text
    assert f'<h1 dir="auto" lang="en">{TEXTS["title"]}</h1>' in spanish.text
    assert "English" in spanish.text  # the notice names the language it is shown in


def test_a_translation_in_a_language_the_consent_does_not_name_is_not_shown(client, alert_in, consent_for):
    alert = alert_in("published")
    consent_for(alert, languages=["en"])  # a narrower consent replaces the first one
    assert FRENCH["title"] not in page(client, alert, "fr").text


def test_updates_appear_with_their_dates_in_the_source_language_unless_a_reviewed_translation_exists(
        client, alert_in, caseworker, reviewer):
    alert = alert_in("published")
    first = alert_update(alert=alert, by=caseworker, idempotency_key="k1", news="Moved to another prison.")
    alert_update(alert=alert, by=caseworker, idempotency_key="k2", news="A hearing is set for Monday.")
    translation = alert_update_translation_save(update=first, by=caseworker, language="fr",
                                                news="Transférée dans une autre prison.")
    french = page(client, alert, "fr").text
    assert "Transférée dans une autre prison." not in french  # not reviewed yet
    assert "Moved to another prison." in french and "A hearing is set for Monday." in french
    assert f'<time datetime="{first.created_at.isoformat()}"' in french or first.created_at.strftime("%Y") in french
    alert_update_translation_review(translation=translation, by=reviewer)
    french = page(client, alert, "fr").text
    assert "Transférée dans une autre prison." in french and "Moved to another prison." not in french
    first_news, second_news = french.split('id="update-1"')[1], french.split('id="update-2"')[1]
    assert 'lang="fr">' in first_news.split("</li>")[0] and 'lang="en">' in second_news.split("</li>")[0]
    assert "Transférée" not in page(client, alert).text  # English readers get the source


def test_a_closed_alert_stays_with_its_outcome_and_a_withdrawn_one_is_gone(client, alert_in, caseworker):
    closed = alert_close(alert=alert_in("published"), by=caseworker, outcome="released")
    response = page(client, closed)
    assert response.status_code == 200 and "Released" in response.text
    withdrawn = alert_withdraw(alert=alert_in("published"), by=caseworker, reason="The defender asked us to.")
    assert page(client, withdrawn).status_code == 410
    assert f"/alerts/{withdrawn.public_slug}/" not in client.get("/alerts/").text


def test_an_unknown_address_is_not_found_in_the_language_of_the_url(client, db):
    response = client.get("/fr/alerts/" + "a" * SLUG_LENGTH + "/")
    assert response.status_code == 404 and response["Content-Language"] == "fr"
    assert client.get("/alerts/NOT-A-SLUG/").status_code == 404


def test_a_bad_page_number_is_not_found_and_changes_nothing(client, alert_in):
    alert_in("published")
    for bad in ("0", "-1", "x", "99999999999", "٣"):
        assert client.get("/alerts/", {"page": bad}).status_code == 404
    assert client.get("/alerts/", {"page": "2"}).status_code == 404  # one alert: no second page


def test_the_list_pages_through_alerts_newest_news_first(client, alert_in, monkeypatch):
    from alerts import public_selectors

    monkeypatch.setattr(public_selectors, "PAGE_SIZE", 2)
    alerts = [alert_in("published") for _ in range(3)]
    alert_update(alert=alerts[0], by=alerts[0].caseworker, idempotency_key="k", news="News.")
    first = client.get("/alerts/").text
    assert first.index(alerts[0].public_slug) < first.index(alerts[2].public_slug)
    assert alerts[1].public_slug not in first and "?page=2" in first
    assert alerts[1].public_slug in client.get("/alerts/", {"page": "2"}).text


def test_the_list_reads_a_fixed_number_of_queries_however_many_alerts(client, alert_in, caseworker):
    for _ in range(2):
        alert = alert_in("published")
        alert_update(alert=alert, by=caseworker, idempotency_key="k", news="News.")
    client.get("/alerts/")  # warm the content types and sessions
    with CaptureQueriesContext(connection) as few:
        client.get("/alerts/")
    for _ in range(3):
        alert = alert_in("published")
        alert_update(alert=alert, by=caseworker, idempotency_key="k", news="News.")
    with CaptureQueriesContext(connection) as more:
        assert client.get("/alerts/").text.count('<li class="alert">') == 5
    # 1 the alerts in force (defender and data key joined), 2 their translations, 3 their updates,
    # 4 the updates' translations, 5 their consents, latest first (with the consent record)
    assert len(more.captured_queries) == len(few.captured_queries) == 5


def test_an_alert_page_reads_a_fixed_number_of_queries_however_many_updates(client, alert_in, caseworker):
    alert = alert_in("published")
    alert_update(alert=alert, by=caseworker, idempotency_key="k0", news="News.")
    page(client, alert)
    with CaptureQueriesContext(connection) as few:
        page(client, alert)
    for number in range(1, 6):
        alert_update(alert=alert, by=caseworker, idempotency_key=f"k{number}", news=f"News {number}.")
    with CaptureQueriesContext(connection) as more:
        assert "News 5." in page(client, alert).text
    # 1 the alert if in force (defender and data key joined), 2 its translations, 3 its updates,
    # 4 the updates' translations, 5 its consents, latest first (with the consent record)
    assert len(more.captured_queries) == len(few.captured_queries) == 5


def test_feed_readers_may_ask_for_the_headers_only(client, alert_in):
    alert = alert_in("published")
    for url in ("/alerts/", "/alerts/feed/", f"/alerts/{alert.public_slug}/"):
        assert client.head(url).status_code == 200
        assert client.post(url).status_code == 405  # nothing on these pages takes a form


def test_a_forged_post_gets_the_calm_refusal_and_changes_nothing(alert_in):
    from django.test import Client

    alert = alert_in("published")
    strict = Client(enforce_csrf_checks=True)
    for url in ("/fr/alerts/", "/alerts/feed/", f"/alerts/{alert.public_slug}/"):
        response = strict.post(url, {"anything": "x"})
        assert response.status_code == 403 and "<script" not in response.text.lower()
    assert Alert.objects.get(pk=alert.pk).status == "published"
