"""An urgent alert from the first draft to its outcome, in a real browser, through the desk's pages only.

The caseworker and the reviewer each work in a browser context of their own with JavaScript off,
logged in with their password and their authenticator code. A real Celery worker routes the
drafted alert and sends the deliveries: e-mail through the worker's mail backend, a signed web
hook to a small receiver this test runs on 127.0.0.1. Nothing moves the alert but the pages; the
database is only read, to check each step. A reader with no account, JavaScript off, follows the
public page /alerts/<slug>/ and the Atom feed /alerts/feed/ from publication to the outcome.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import urlparse

import feedparser
import pytest
from standardwebhooks.webhooks import Webhook

from tests.e2e.test_grant_full_flow import _submit, browsing, flash, log_in, visited  # noqa: F401  (browsing: a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ENGLISH = {"Title": "Lawyer detained in Nairobi", "Summary": "A land rights lawyer was detained on 1 May.",
           "Facts": "Held without charge since the hearing.", "Requested actions": "Call for her release."}
FRENCH = {"Title": "Avocate détenue à Nairobi", "Summary": "Une avocate a été détenue le 1er mai.",
          "Facts": "Détenue sans inculpation depuis l'audience.", "Requested actions": "Demandez sa libération."}
# The desk's forms that move an alert or decide something, by the last part of their URL.
ALERT_ACTIONS = frozenset({"edit", "translate", "review-translation", "consent", "revoke-consent", "send-for-review",
                           "approve", "return-to-draft", "publish", "update", "close", "withdraw"})


class Receiver:
    """A web hook receiver on 127.0.0.1: answers 200 and keeps what it got."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/protect-alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def desk_form(page: Any, reference: str, action: str) -> Any:
    return page.locator(f"main form[action='/alert-desk/{reference}/{action}/']")


def alert_actions(page: Any, reference: str) -> set[str]:
    prefix = f"/alert-desk/{reference}/"
    found = {(form.get_attribute("action") or "").removeprefix(prefix).strip("/")
             for form in page.locator("main form[method=post]").all()}
    return found & ALERT_ACTIONS


def open_alert(page: Any, base_url: str, reference: str) -> None:
    page.goto(base_url + "/alert-desk/")
    _submit(page.get_by_role("link", name=reference, exact=True))
    assert urlparse(page.url).path == f"/alert-desk/{reference}/"


def wait_for(condition: Any, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def delivery_report(page: Any) -> list[list[str]]:
    return [row.locator("td").all_inner_texts() for row in page.locator("main table.deliveries tbody tr").all()]


def public_page(reader: Any, base_url: str, slug: str) -> str:
    """The alert's public page as a reader without an account sees it (JavaScript off)."""
    response = reader.goto(f"{base_url}/alerts/{slug}/")
    assert response.status == 200
    visited(reader)
    return str(reader.locator("main").inner_text())


def feed_entries(reader: Any, base_url: str) -> list[Any]:
    """The Atom feed's entries, parsed with feedparser, which finds no error in it."""
    response = reader.request.get(f"{base_url}/alerts/feed/")
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo, feed.get("bozo_exception")
    return list(feed.entries)


def test_an_alert_is_drafted_translated_consented_approved_published_updated_and_closed_released(
    live_server, browsing, celery_worker_process, receiver, team_africa, caseworker, reviewer, coordinator,  # noqa: F811
):
    from alerts.models import Alert, AlertTranslation
    from alerts.services.recipients import recipient_create
    from protect.defenders.services import defender_create
    from protect.delivery.models import Delivery

    base = live_server.url
    defender = defender_create(by=caseworker, pseudonym="Kestrel", legal_name="Wanjiru Otieno", country="KE")
    recipient_create(by=coordinator, name="UN Special Rapporteur", channel="email", address="sr@example.org",
                     language="fr", tier="un")
    _hook, secret = recipient_create(by=coordinator, name="Partner network", channel="webhook",
                                     address=receiver.url, language="en", tier="partners")

    # --- 1. the caseworker drafts the alert in English ---
    amina = browsing.person("caseworker")
    log_in(amina, base, caseworker)
    amina.goto(base + "/alert-desk/")
    _submit(amina.get_by_role("link", name="Draft an alert"))
    draft = amina.locator("main form")
    draft.get_by_label("Defender reference").fill(defender.reference)
    draft.get_by_label("Source language").select_option("en")
    for label, text in ENGLISH.items():
        draft.get_by_label(label).fill(text)
    _submit(draft.get_by_role("button", name="Save the draft"))
    alert = Alert.objects.get()
    ref = alert.reference
    assert amina.get_by_role("heading", level=1).inner_text() == f"Alert {ref} drafted"
    assert wait_for(lambda: Alert.objects.get(pk=alert.pk).status == "draft"), "the worker did not route the alert"
    _submit(amina.get_by_role("link", name="Open the alert"))
    assert alert_actions(amina, ref) == {"edit", "translate", "consent", "send-for-review", "withdraw"}

    # --- … and adds a French translation, shown beside the source ---
    amina.locator("main summary", has_text="Add a translation").click()  # <details> opens without script
    translate = desk_form(amina, ref, "translate")
    translate.get_by_label("Language").select_option("fr")
    for label, text in FRENCH.items():
        translate.get_by_label(label).fill(text)
    _submit(translate.get_by_role("button", name="Save the translation"))
    assert "Translation saved" in flash(amina)
    pair = amina.locator("main .side-by-side").first
    assert ENGLISH["Title"] in pair.locator("article.source").inner_text()
    assert FRENCH["Title"] in pair.locator("article.translation").inner_text()
    assert "not reviewed yet" in pair.inner_text()
    assert "review-translation" not in alert_actions(amina, ref)  # nobody reviews their own translation

    # --- 2. consent is recorded with its scope and checklist ---
    consent = desk_form(amina, ref, "consent")
    consent.get_by_label("How the consent was given").select_option("written")
    consent.get_by_label("described only").check()
    consent.get_by_label("Which facts may be told").fill("The detention and the hearing; not her address.")
    for tier in ("authorities", "diplomatic", "un", "media", "partners"):
        consent.locator(f"input[name=tiers][value={tier}]").check()
    consent.locator("input[name=languages][value=fr]").check()
    consent.get_by_label("A public page is allowed").check()
    consent.get_by_label("Valid until").fill((datetime.date.today() + datetime.timedelta(days=60)).isoformat())
    for label in ("Naming the defender is a risk", "The information is verified", "There is a response plan",
                  "The benefits outweigh the risks"):
        consent.get_by_label(label).check()
    _submit(consent.get_by_role("button", name="Record the consent"))
    assert "Consent recorded." in flash(amina)
    assert "authorities, diplomatic, media, partners, un" in amina.locator("main").inner_text()

    chooser = desk_form(amina, ref, "send-for-review").get_by_label("Reviewer")
    chooser.select_option(label=str(reviewer))
    _submit(desk_form(amina, ref, "send-for-review").get_by_role("button", name="Send for review"))
    assert "Sent for review." in flash(amina)
    assert "approve" not in alert_actions(amina, ref)  # who prepared it does not approve it

    # --- … a reviewer reviews the translation and approves ---
    bruno = browsing.person("reviewer")
    log_in(bruno, base, reviewer)
    open_alert(bruno, base, ref)
    # Not approvable while a translation is unreviewed: the page does not offer it yet.
    assert {"review-translation", "return-to-draft"} <= alert_actions(bruno, ref)
    assert "approve" not in alert_actions(bruno, ref)
    _submit(bruno.get_by_role("button", name="Mark the Français translation reviewed"))
    assert "Translation reviewed." in flash(bruno)
    assert "approve" in alert_actions(bruno, ref) and "review-translation" not in alert_actions(bruno, ref)
    assert AlertTranslation.objects.get(alert=alert).reviewed_by == reviewer
    _submit(desk_form(bruno, ref, "approve").get_by_role("button", name="Approve"))
    assert "Approved." in flash(bruno)
    assert Alert.objects.get(pk=alert.pk).status == "approved"

    # --- 3. it is published: one delivery per recipient, each sent, the web hook signed ---
    amina.reload()
    assert {"publish", "withdraw"} <= alert_actions(amina, ref)
    _submit(desk_form(amina, ref, "publish").get_by_role("button", name="Publish"))
    assert "Published" in flash(amina)
    assert wait_for(lambda: Delivery.objects.filter(sent_at__isnull=False).count() == 2), \
        list(Delivery.objects.values_list("key", "attempts", "last_error"))
    amina.reload()
    rows = delivery_report(amina)
    assert sorted((r[0], r[3], r[4]) for r in rows) == [("Partner network", "publication", "sent"),
                                                        ("UN Special Rapporteur", "publication", "sent")]
    (headers, body), = receiver.received
    Webhook(secret).verify(body, headers)  # raises unless signed to the Standard Webhooks spec
    message = json.loads(body)
    assert message["type"] == "alert.published"
    assert (message["data"]["reference"], message["data"]["title"]) == (ref, ENGLISH["Title"])

    # … the public page and the feed show it, with the consented text only (facts were not made public)
    reader = browsing.person("reader")
    slug = Alert.objects.get(pk=alert.pk).public_slug
    shown = public_page(reader, base, slug)
    assert ENGLISH["Title"] in shown and ENGLISH["Summary"] in shown and ENGLISH["Requested actions"] in shown
    assert ENGLISH["Facts"] not in shown and "Wanjiru" not in reader.content() and "Otieno" not in reader.content()
    reader.goto(base + "/alerts/")
    visited(reader)
    _submit(reader.get_by_role("link", name=ENGLISH["Title"]))
    assert urlparse(reader.url).path == f"/alerts/{slug}/"
    assert [entry.title for entry in feed_entries(reader, base)] == [ENGLISH["Title"]]
    assert FRENCH["Title"] in public_page(reader, base + "/fr", slug)  # the reviewed translation, in French

    # --- 4. an update goes out to the same recipients, once however often the form is posted ---
    update = desk_form(amina, ref, "update")
    update.get_by_label("What is new (in the source language)").fill("She was moved to a prison near the capital.")
    _submit(update.get_by_role("button", name="Send the update"))
    assert "Update sent." in flash(amina)
    assert wait_for(lambda: Delivery.objects.filter(sent_at__isnull=False).count() == 4)
    amina.reload()
    assert sorted((r[0], r[3], r[4]) for r in delivery_report(amina) if r[3] == "update") == [
        ("Partner network", "update", "sent"), ("UN Special Rapporteur", "update", "sent")]
    assert "She was moved to a prison near the capital." in amina.locator("main").inner_text()
    assert len(receiver.received) == 2 and json.loads(receiver.received[1][1])["type"] == "alert.updated"
    # … and the public page and the feed show the update
    assert "She was moved to a prison near the capital." in public_page(reader, base, slug)
    entries = feed_entries(reader, base)
    assert len(entries) == 2
    assert any("She was moved to a prison near the capital." in (entry.get("summary") or "") for entry in entries)

    # --- 5. it closes with the outcome "released" ---
    amina.locator("main summary", has_text="Close with an outcome").click()
    close = desk_form(amina, ref, "close")
    close.get_by_label("Outcome").select_option(label="Released")
    _submit(close.get_by_role("button", name="Close"))
    assert "Closed." in flash(amina)
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == ("closed", "released")
    assert re.search(r"Outcome\s+Released", amina.locator("main").inner_text())
    # Closed: nothing more to do but take the consent back, which a defender may always ask for.
    assert alert_actions(amina, ref) == {"revoke-consent"}
    time.sleep(1)  # nothing more leaves after the outcome
    assert Delivery.objects.count() == 4 and len(receiver.received) == 2
    # The public page shows the outcome.
    assert re.search(r"Outcome:\s+Released", public_page(reader, base, slug))

    browsing.assert_clean()
