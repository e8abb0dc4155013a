"""Publication and updates fan out one delivery per allowed recipient, in its language, each sent
once; web hooks verify with the standardwebhooks package; revoking consent stops what is pending."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from standardwebhooks.webhooks import Webhook

from alerts.models import Alert
from alerts.services.consent import alert_consent_revoke
from alerts.services.distribution import alert_distribute
from alerts.services.drafting import alert_publish, alert_update
from protect.delivery.models import Delivery
from protect.delivery.services import delivery_send
from protect.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def receiver():
    """A web hook receiver on 127.0.0.1: records every request, answers `status`."""
    received: list[dict] = []
    state = {"status": 204}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append({"body": body, "headers": {k.lower(): v for k, v in self.headers.items()}})
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, state
    server.shutdown()
    server.server_close()


def alert_deliveries(alert):
    return Delivery.objects.filter(key__startswith=f"alerts.alert:{alert.pk}:")


def test_publishing_queues_one_fan_out_and_it_makes_one_delivery_per_allowed_recipient(alert_in, recipients,
                                                                                         caseworker):
    made = recipients()
    alert = alert_in("approved")
    alert_publish(alert=alert, by=caseworker, tiers=["un", "partners"])
    assert OutboxMessage.objects.get(task_name="alerts.distribute").kwargs == {"alert_id": alert.pk,
                                                                               "step": "publish"}
    assert alert_distribute(alert_id=alert.pk, step="publish") == 3  # un, partners (e-mail) and the hook
    assert alert_distribute(alert_id=alert.pk, step="publish") == 3  # a retried task: the same rows
    deliveries = alert_deliveries(alert)
    assert deliveries.count() == 3
    assert {d.recipient for d in deliveries if d.channel == "email"} == {made["un"].email, made["partners"].email}
    assert all(d.consent_id == alert.consent_in_force().consent_id for d in deliveries)


def test_each_recipient_gets_the_reviewed_translation_in_its_language_or_the_source(alert_in, recipients,
                                                                                    caseworker):
    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    by_address = {d.recipient: d for d in alert_deliveries(alert).filter(channel="email")}
    assert by_address["un@example.org"].content()[0].endswith("Avocate détenue")  # reads French: reviewed
    assert by_address["media@example.org"].content()[0].endswith("Lawyer detained")


def test_an_unreviewed_translation_is_never_sent(alert_in, recipients, caseworker):
    recipients()
    alert = alert_in("published", french=False)
    alert_distribute(alert_id=alert.pk, step="publish")
    assert alert_deliveries(alert).get(recipient="un@example.org").content()[0].endswith("Lawyer detained")


def test_a_retried_update_sends_nothing_twice(alert_in, recipients, caseworker):
    recipients()
    alert = alert_in("published")
    first = alert_update(alert=alert, by=caseworker, idempotency_key="k-1", news="Released on bail.")
    again = alert_update(alert=alert, by=caseworker, idempotency_key="k-1", news="Released on bail.")
    assert first.pk == again.pk
    assert OutboxMessage.objects.filter(task_name="alerts.distribute", kwargs__step="update:k-1").count() == 1
    assert alert_distribute(alert_id=alert.pk, step="update:k-1") == 6
    alert_distribute(alert_id=alert.pk, step="update:k-1")  # the fan-out task redelivered
    updates = alert_deliveries(alert).filter(key__contains=":update:k-1:")
    assert updates.count() == 6
    for delivery in updates.filter(channel="email"):
        assert delivery_send(delivery_id=delivery.pk) == "sent"
        assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(mail.outbox) == 5 and all("UPDATE: Released on bail." in m.body for m in mail.outbox)


def test_an_update_without_an_idempotency_key_is_refused(alert_in, caseworker):
    from protect.core.errors import ProtectError

    alert = alert_in("published")
    with pytest.raises(ProtectError, match="idempotency key"):
        alert_update(alert=alert, by=caseworker, idempotency_key="", news="News.")


def test_a_web_hook_is_signed_to_the_standard_webhooks_spec(alert_in, recipients, receiver):
    url, received, _state = receiver
    made = recipients(webhook_url=url)
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    hook = alert_deliveries(alert).get(channel="webhook")
    assert delivery_send(delivery_id=hook.pk) == "sent"
    assert delivery_send(delivery_id=hook.pk) == "sent"  # sent once, however often the task runs
    assert len(received) == 1
    request = received[0]
    payload = Webhook(made["hook"].secret).verify(request["body"], request["headers"])
    assert payload["type"] == "alert.published"
    assert payload["data"]["reference"] == alert.reference and payload["data"]["language"] == "fr"
    assert request["headers"]["webhook-id"] == f"msg_{hook.message_id.hex}"
    with pytest.raises(Exception):  # noqa: B017  a wrong secret does not verify
        Webhook("whsec_" + "A" * 44).verify(request["body"], request["headers"])


def test_a_receiver_answering_500_is_retried_and_others_are_not_affected(alert_in, recipients, receiver):
    from protect.delivery.services import DeliveryTemporaryError

    url, received, state = receiver
    recipients(webhook_url=url)
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    state["status"] = 500
    hook = alert_deliveries(alert).get(channel="webhook")
    with pytest.raises(DeliveryTemporaryError):
        delivery_send(delivery_id=hook.pk)
    hook.refresh_from_db()
    assert (hook.status, hook.attempts, hook.last_error) == ("pending", 1, "HTTP 500")
    email = alert_deliveries(alert).filter(channel="email").first()
    assert delivery_send(delivery_id=email.pk) == "sent"
    state["status"] = 200
    assert delivery_send(delivery_id=hook.pk) == "sent"
    assert len(received) == 2
    assert received[0]["headers"]["webhook-id"] == received[1]["headers"]["webhook-id"]


def test_revoking_consent_cancels_every_pending_delivery(alert_in, recipients, caseworker):
    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    first = alert_deliveries(alert).filter(channel="email").first()
    assert delivery_send(delivery_id=first.pk) == "sent"
    alert_consent_revoke(scope=alert.consents.get(), by=caseworker)
    statuses = [d.status for d in alert_deliveries(alert)]
    assert statuses.count("sent") == 1 and statuses.count("cancelled") == 5
    assert all(delivery_send(delivery_id=d.pk) in ("sent", "cancelled") for d in alert_deliveries(alert))
    assert len(mail.outbox) == 1
    assert alert_distribute(alert_id=alert.pk, step="publish") == 0  # no consent in force: nothing more


def test_a_consent_that_lapsed_before_sending_cancels_the_delivery(alert_in, recipients):
    import datetime

    from protect.defenders.models import ConsentRecord

    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    ConsentRecord.objects.filter(pk=alert.consent_in_force().consent_id).update(
        valid_until=datetime.date(2020, 1, 1), given_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC))
    delivery = alert_deliveries(alert).first()
    assert delivery_send(delivery_id=delivery.pk) == "cancelled"
    assert mail.outbox == []


def test_publication_records_its_tiers_and_updates_go_to_the_same(alert_in, recipients, caseworker):
    recipients()
    alert = alert_in("approved")
    alert_publish(alert=alert, by=caseworker, tiers=["media"])
    assert Alert.objects.get(pk=alert.pk).tiers == ["media"]
    alert_update(alert=alert, by=caseworker, idempotency_key="k-2", news="Court date set.")
    assert alert_distribute(alert_id=alert.pk, step="update:k-2") == 1
    _subject, body = alert_deliveries(alert).get().content()
    assert "UPDATE: Court date set." in body


def test_the_outbound_log_keeps_no_readable_copy_of_the_alert(alert_in, recipients):
    from django.db import connection

    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject, body FROM delivery_delivery WHERE key LIKE %s", [f"alerts.alert:{alert.pk}:%"])
        rows = cursor.fetchall()
    assert len(rows) == 6 and all(subject == "" and body == "" for subject, body in rows)


def test_erasing_the_defender_cancels_what_has_not_left(alert_in, recipients, coordinator):
    from protect.defenders.services import defender_erase

    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    defender_erase(defender=alert.defender, by=coordinator, reason="Asked to be forgotten.")
    assert {delivery_send(delivery_id=d.pk) for d in alert_deliveries(alert)} == {"cancelled"}
    assert mail.outbox == []
