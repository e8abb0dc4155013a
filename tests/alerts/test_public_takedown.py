"""Revoking the consent, its expiry, a withdrawal or the defender's erasure takes the public page
down at once (410 Gone) and drops the alert from the feed; what had not left yet never leaves,
checked with a real worker."""

from __future__ import annotations

import datetime
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import feedparser
import pytest
from django.utils import timezone

from alerts.models import Alert, Recipient
from alerts.services.consent import alert_consent_revoke
from alerts.services.distribution import alert_distribute
from alerts.services.drafting import alert_update
from protect.delivery.models import Delivery
from protect.delivery.services import webhook_endpoint_create
from tests.alerts.conftest import TEXTS


def is_public(client, alert) -> bool:
    feed = feedparser.parse(client.get("/alerts/feed/").content)
    in_feed = any(alert.public_slug in entry.link for entry in feed.entries)
    listed = alert.public_slug in client.get("/alerts/").text
    status = client.get(f"/alerts/{alert.public_slug}/").status_code
    assert in_feed == listed == (status == 200), (in_feed, listed, status)
    return status == 200


@pytest.mark.django_db
def test_revoking_the_consent_takes_the_page_down_at_once(client, alert_in, caseworker):
    alert = alert_in("published")
    alert_update(alert=alert, by=caseworker, idempotency_key="k", news="Moved to another prison.")
    assert is_public(client, alert)
    alert_consent_revoke(scope=alert.consent_in_force(), by=caseworker)
    assert not is_public(client, alert)
    gone = client.get(f"/fr/alerts/{alert.public_slug}/")
    assert gone.status_code == 410 and gone["Content-Language"] == "fr" and "n’est plus publiée" in gone.text
    assert TEXTS["title"] not in gone.text and "Moved to another prison." not in client.get("/alerts/feed/").text


@pytest.mark.django_db
def test_an_expired_consent_takes_the_page_down_the_day_after_its_last_day(client, alert_in, consent_for,
                                                                         monkeypatch):
    alert = alert_in("published")
    consent_for(alert, valid_until=timezone.localdate())
    assert is_public(client, alert)  # its last day
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert not is_public(client, alert)
    assert client.get(f"/alerts/{alert.public_slug}/").status_code == 410


@pytest.mark.django_db
def test_erasing_the_defender_takes_the_page_down(client, alert_in, coordinator):
    from protect.defenders.services import defender_erase

    alert = alert_in("published")
    assert is_public(client, alert)
    defender_erase(defender=alert.defender, by=coordinator, reason="Asked to be forgotten.")
    assert not is_public(client, alert)


@pytest.fixture
def receiver():
    """A web hook receiver on 127.0.0.1 that counts what reaches it."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["content-length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_revoking_stops_the_pending_deliveries_and_the_page_with_a_real_worker(client, request, alert_in, caseworker,
                                                                              receiver):
    from protect.delivery.tasks import send

    url, received = receiver
    for tier in ("un", "media", "partners"):
        endpoint, _secret = webhook_endpoint_create(url=url)
        Recipient.objects.create(name=f"{tier} hook", channel="webhook", endpoint=endpoint, language="en", tier=tier)
    alert = alert_in("published")
    assert alert_distribute(alert_id=alert.pk, step="publish") == 3  # recorded and queued; no worker yet
    deliveries = Delivery.objects.filter(key__startswith=f"alerts.alert:{alert.pk}:")
    assert [d.status for d in deliveries.all()] == ["pending"] * 3
    alert_consent_revoke(scope=alert.consent_in_force(), by=caseworker)
    assert {d.status for d in deliveries.all()} == {"cancelled"}
    assert not is_public(client, alert)

    request.getfixturevalue("celery_worker_process")  # the worker starts with the sends already queued
    for delivery in deliveries:
        # The send task keeps no result (protect.delivery): ask for this one, to see the worker refuse.
        assert send.apply_async((delivery.pk,), ignore_result=False).get(timeout=30) == "cancelled"
    time.sleep(2)  # let the worker also take the sends queued at publication
    assert received == []
    assert {d.status for d in deliveries.all()} == {"cancelled"}
    assert Alert.objects.get(pk=alert.pk).status == "published"  # the case itself is the caseworker's to close
    assert not is_public(client, alert)
