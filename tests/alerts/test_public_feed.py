"""The Atom feed /alerts/feed/ (and /<lang>/alerts/feed/): valid Atom that feedparser reads without
error, one entry per public alert and one per update, each in its own language."""

from __future__ import annotations

import feedparser
import pytest

from alerts.services.drafting import alert_close, alert_update
from alerts.services.translations import alert_update_translation_review, alert_update_translation_save
from tests.alerts.conftest import FRENCH, TEXTS

pytestmark = pytest.mark.django_db


def parsed(client, url="/alerts/feed/"):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_the_feed_is_valid_atom_with_an_entry_per_alert_and_per_update(client, alert_in, caseworker):
    first = alert_in("published")
    second = alert_in("published")
    alert_update(alert=first, by=caseworker, idempotency_key="k1", news="Moved to another prison.")
    alert_update(alert=first, by=caseworker, idempotency_key="k2", news="A hearing is set for Monday.")
    alert_in("approved")  # not published: not in the feed
    feed = parsed(client)
    assert len(feed.entries) == 4
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == 4 and all(i.startswith("tag:testserver,") for i in ids)
    links = {entry.link for entry in feed.entries}
    assert f"http://testserver/alerts/{first.public_slug}/" in links
    assert f"http://testserver/alerts/{second.public_slug}/" in links
    assert f"http://testserver/alerts/{first.public_slug}/#update-2" in links
    news = next(entry for entry in feed.entries if entry.link.endswith("#update-1"))
    assert "Moved to another prison." in news.summary and news.title == f"Update: {TEXTS['title']}"
    assert feed.feed.title == "Urgent alerts" and feed.feed.language == "en"
    assert any(link.rel == "self" and link.href == "http://testserver/alerts/feed/" for link in feed.feed.links)


def test_an_empty_feed_is_valid_atom_too(client, db):
    assert parsed(client).entries == []


def test_the_feed_in_a_language_uses_reviewed_translations_and_says_each_entry_s_language(
        client, alert_in, caseworker, reviewer):
    alert = alert_in("published")
    update = alert_update(alert=alert, by=caseworker, idempotency_key="k", news="Moved to another prison.")
    alert_update(alert=alert, by=caseworker, idempotency_key="k2", news="A hearing is set.")
    alert_update_translation_review(
        translation=alert_update_translation_save(update=update, by=caseworker, language="fr",
                                                  news="Transférée dans une autre prison."), by=reviewer)
    feed = parsed(client, "/fr/alerts/feed/")
    assert feed.feed.language == "fr"
    by_link = {entry.link: entry for entry in feed.entries}
    main = by_link[f"http://testserver/fr/alerts/{alert.public_slug}/"]
    assert main.title == FRENCH["title"] and main.title_detail.language == "fr"
    assert "Transférée" in by_link[f"http://testserver/fr/alerts/{alert.public_slug}/#update-1"].summary
    untranslated = by_link[f"http://testserver/fr/alerts/{alert.public_slug}/#update-2"]
    assert "A hearing is set." in untranslated.summary and untranslated.summary_detail.language == "en"


def test_typed_text_is_escaped_in_the_feed(client, alert_in, caseworker):
    alert = alert_in("published")
    alert_update(alert=alert, by=caseworker, idempotency_key="k", news='<script>alert(1)</script> & "quotes"')
    feed = parsed(client)
    news = next(entry for entry in feed.entries if entry.link.endswith("#update-1"))
    assert "<script>" not in news.summary  # the HTML of the summary carries the text, never markup from it
    assert "&lt;script&gt;" in client.get("/alerts/feed/").text.replace("&amp;lt;", "&lt;").replace("&amp;gt;", "&gt;")


def test_a_closed_alert_keeps_its_entry_with_the_outcome(client, alert_in, caseworker):
    alert = alert_close(alert=alert_in("published"), by=caseworker, outcome="released")
    feed = parsed(client)
    assert "Outcome: Released" in feed.entries[0].summary
    assert feed.entries[0].updated_parsed >= feed.entries[0].published_parsed
    assert alert.closed_at is not None
