"""Distribution with a real worker, a real web hook receiver and an SMTP catcher on 127.0.0.1:
200 recipients get the alert once each (every signature verifies with standardwebhooks), even when
the worker is SIGKILLed mid-send and another takes over; revoking consent mid-way stops the rest."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from alerts.models import Alert, Recipient
from alerts.services.consent import alert_consent_revoke
from alerts.services.drafting import alert_publish
from protect.delivery.models import Delivery
from protect.delivery.services import INTERRUPTED, deliveries_resume_overdue, webhook_endpoint_create
from protect.outbox.services import outbox_relay
from tests.outbound import FAST_RETRIES, wait_until

from .conftest import ALL_TIERS

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def two_hundred_recipients(receiver_url: str, count: int = 200) -> dict[str, dict[str, str]]:
    """Half by e-mail, half by web hook (each its own path and secret), across every tier and two
    languages. Returns {"emails": {address: ...}, "hooks": {path: secret}}."""
    emails, hooks = {}, {}
    for n in range(count):
        tier, language = ALL_TIERS[n % len(ALL_TIERS)], ("en", "fr")[n % 2]
        if n % 2:
            path = f"/hook/{n}"
            endpoint, secret = webhook_endpoint_create(url=receiver_url + path)
            Recipient.objects.create(name=f"Hook {n}", channel="webhook", endpoint=endpoint, language=language,
                                     tier=tier)
            hooks[path] = secret
        else:
            address = f"desk{n}@example.org"
            Recipient.objects.create(name=f"Desk {n}", channel="email", email=address, language=language, tier=tier)
            emails[address] = tier
    return {"emails": emails, "hooks": hooks}


def deliveries_of(alert: Alert):
    return Delivery.objects.filter(key__startswith=f"alerts.alert:{alert.pk}:publish:")


def settled(alert: Alert, count: int, *, timeout: float = 240) -> None:
    """Wait until the fan-out recorded `count` deliveries and each has an outcome. The outbox relay
    runs here as beat runs it in production (every 10 s)."""

    def done() -> bool:
        outbox_relay()
        rows = deliveries_of(alert)
        return rows.count() == count and not rows.filter(sent_at=None, failed_at=None, cancelled_at=None).exists()

    wait_until(done, timeout=timeout, every=0.5, what=f"{count} deliveries with an outcome")


def assert_received_once_each(alert, made, receiver, catcher, *, expect_all: bool = True) -> None:
    """No message arrived twice; each web hook verifies and carries its delivery's webhook-id."""
    hooks = receiver.snapshot()
    mails = catcher.snapshot()
    by_path = Counter(request["path"] for request in hooks)
    by_address = Counter(message["to"][0] for message in mails)
    assert max(by_path.values(), default=1) == 1, [p for p, n in by_path.items() if n > 1]
    assert max(by_address.values(), default=1) == 1, [a for a, n in by_address.items() if n > 1]
    if expect_all:
        assert set(by_path) == set(made["hooks"]) and set(by_address) == set(made["emails"])
    message_ids = {f"msg_{d.message_id.hex}" for d in deliveries_of(alert).filter(channel="webhook")}
    for request in hooks:
        payload = Webhook(made["hooks"][request["path"]]).verify(request["body"], request["headers"])
        assert payload["type"] == "alert.published" and payload["data"]["reference"] == alert.reference
        assert request["headers"]["webhook-id"] in message_ids
    assert all(message["subject"].startswith(f"[{alert.reference}]") for message in mails)


def test_publishing_to_200_recipients_delivers_each_exactly_once_and_every_signature_verifies(
    workers, http_receiver, smtp_catcher, alert_in, caseworker
):
    made = two_hundred_recipients(http_receiver.url)
    alert = alert_in("approved")
    workers.start(smtp_catcher.env() | FAST_RETRIES)
    alert_publish(alert=alert, by=caseworker, tiers=ALL_TIERS)
    settled(alert, 200)
    assert Counter(d.status for d in deliveries_of(alert)) == {"sent": 200}
    assert_received_once_each(alert, made, http_receiver, smtp_catcher)
    assert http_receiver.count() == 100 and smtp_catcher.count() == 100


def test_a_worker_killed_mid_send_and_a_new_one_still_give_200_deliveries_each_received_once(
    workers, http_receiver, smtp_catcher, alert_in, caseworker
):
    made = two_hundred_recipients(http_receiver.url)
    alert = alert_in("approved")
    # A web hook timeout longer than the hold below, so the worker is still waiting when it dies.
    first = workers.start(smtp_catcher.env() | FAST_RETRIES | {"PROTECT_WEBHOOK_TIMEOUT_SECONDS": "300"})
    alert_publish(alert=alert, by=caseworker, tiers=ALL_TIERS)
    wait_until(lambda: http_receiver.count() + smtp_catcher.count() >= 40, timeout=120, what="40 received")
    # Hold the next web hooks' answers: once both pool processes wait on one, each is mid-send (the
    # message arrived, its outcome not yet recorded), the worst moment to die.
    http_receiver.hang_seconds = 120
    wait_until(lambda: http_receiver.hanging == 2, timeout=60, what="both pool processes mid-send")
    workers.kill(first)
    held = set(http_receiver.held)
    http_receiver.release()
    assert deliveries_of(alert).count() == 200
    assert deliveries_of(alert).filter(sent_at=None, failed_at=None, cancelled_at=None).count() > 100

    workers.start(smtp_catcher.env() | FAST_RETRIES)
    # The two tasks the dead worker held unacknowledged come back through the sweep beat runs every
    # minute (they are 15 minutes overdue for it here); it queues again whatever is still pending
    # too, which the new worker may be sending this instant: still sent once each.
    assert deliveries_resume_overdue(now=timezone.now() + datetime.timedelta(minutes=16)) >= 2
    settled(alert, 200)

    assert_received_once_each(alert, made, http_receiver, smtp_catcher)
    assert http_receiver.count() + smtp_catcher.count() == 200
    rows = list(deliveries_of(alert))
    interrupted = {d.pk for d in rows if d.status == "failed"}
    assert Counter(d.status for d in rows) == {"sent": 198, "failed": 2}
    # The two caught mid-send arrived (the receiver has them) but were not sent again: at most once,
    # and the report says why.
    assert {d.last_error for d in rows if d.pk in interrupted} == {INTERRUPTED}
    endpoints = {d.endpoint.url.removeprefix(http_receiver.url) for d in rows if d.pk in interrupted}
    assert endpoints == held


def test_revoking_consent_mid_distribution_stops_every_delivery_that_has_not_left(
    workers, http_receiver, smtp_catcher, alert_in, caseworker
):
    made = two_hundred_recipients(http_receiver.url)
    alert = alert_in("approved")
    http_receiver.hang_seconds = 0.05  # a paced receiver and mail server, so the revocation lands mid-way
    smtp_catcher.delay_seconds = 0.05
    workers.start(smtp_catcher.env() | FAST_RETRIES)
    alert_publish(alert=alert, by=caseworker, tiers=ALL_TIERS)
    wait_until(lambda: http_receiver.count() + smtp_catcher.count() >= 20, timeout=120, every=0.02,
               what="20 received")
    alert_consent_revoke(scope=alert.consents.get(), by=caseworker)
    left_before = deliveries_of(alert).filter(sent_at__isnull=False).count()
    in_flight = deliveries_of(alert).filter(sent_at=None, sending_at__isnull=False).count()
    assert in_flight <= 2  # two pool processes: at most two were leaving as it was revoked
    settled(alert, 200)

    statuses = Counter(d.status for d in deliveries_of(alert))
    assert set(statuses) == {"sent", "cancelled"}
    assert left_before <= statuses["sent"] <= left_before + in_flight
    assert statuses["cancelled"] == 200 - statuses["sent"] >= 100
    # What was received is exactly what was sent: nothing cancelled ever arrived.
    assert http_receiver.count() + smtp_catcher.count() == statuses["sent"]
    assert_received_once_each(alert, made, http_receiver, smtp_catcher, expect_all=False)
    assert Alert.objects.get(pk=alert.pk).consent_in_force() is None
