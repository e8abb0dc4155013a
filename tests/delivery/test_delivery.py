"""Every message leaves once: recorded with a key, sent by the worker, never twice."""

import smtplib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection

from protect.delivery.models import Delivery
from protect.delivery.services import DeliveryTemporaryError, delivery_email, delivery_send
from protect.delivery.tasks import send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_asking_twice_for_the_same_message_records_one_delivery():
    first = delivery_email(key="tests.hello:1", to="amina@example.org", subject="Hello", body="Case G-1")
    again = delivery_email(key="tests.hello:1", to="amina@example.org", subject="Hello", body="Case G-1")
    assert first == again and Delivery.objects.count() == 1


def test_a_delivery_is_sent_once_however_often_the_task_runs():
    delivery = delivery_email(key="tests.hello:2", to="amina@example.org", subject="Hello", body="Case G-2")
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amina@example.org"]


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_given_the_same_delivery_send_it_once():
    delivery = delivery_email(key="tests.hello:3", to="amina@example.org", subject="Hello", body="Case G-3")

    def run(_):
        try:
            return delivery_send(delivery_id=delivery.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = set(pool.map(run, range(30)))
    # "sending": another thread held it at that moment and recorded how it went.
    assert "sent" in answers and answers <= {"sent", "sending"}
    assert len(mail.outbox) == 1 and Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_an_unavailable_mail_server_is_waited_for_and_never_given_up(monkeypatch, settings):
    settings.PROTECT_DELIVERY_MAX_ATTEMPTS = 3
    delivery = delivery_email(key="tests.hello:4", to="amina@example.org", subject="Hello", body="Case G-4")

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("protect.delivery.services.send_mail", refuse)
    for attempt in range(1, 8):
        with pytest.raises(DeliveryTemporaryError):
            delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.status == "pending"
        assert delivery.last_error == "mail server unavailable (SMTPServerDisconnected)"
    monkeypatch.undo()
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(mail.outbox) == 1


def test_the_back_off_doubles_up_to_its_ceiling(monkeypatch, settings):
    import datetime

    settings.PROTECT_DELIVERY_BACKOFF_SECONDS = 10
    settings.PROTECT_DELIVERY_BACKOFF_MAX_SECONDS = 60
    delivery = delivery_email(key="tests.hello:5", to="amina@example.org", subject="Hello", body="Case G-5")
    now = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr("protect.delivery.services.timezone.now", lambda: now)
    monkeypatch.setattr("protect.delivery.services.random.uniform", lambda low, high: 0.0)  # no jitter

    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError()

    monkeypatch.setattr("protect.delivery.services.send_mail", unreachable)
    delays = []
    for _attempt in range(5):
        with pytest.raises(DeliveryTemporaryError) as raised:
            delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert raised.value.retry_at == delivery.next_attempt_at
        delays.append((delivery.next_attempt_at - now).total_seconds())
    assert delays == [10, 20, 40, 60, 60]


def test_a_recipient_refused_by_the_mail_server_fails_at_once_with_the_reason(monkeypatch):
    delivery = delivery_email(key="tests.hello:6", to="nobody@example.org", subject="Hello", body="Case G-6")

    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"nobody@example.org": (550, b"no such user")})

    monkeypatch.setattr("protect.delivery.services.send_mail", refuse)
    assert delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (1, "address refused by the mail server (550)")
    assert delivery.next_attempt_at is None


def test_the_task_has_no_retry_limit_of_its_own():
    assert send.max_retries is None  # delivery_send records when a delivery failed for good


def test_web_hook_signatures_verify_with_the_standard_webhooks_library():
    from standardwebhooks.webhooks import Webhook

    from protect.delivery.signing import new_webhook_secret, webhook_headers

    secret = new_webhook_secret()
    body = b'{"type":"alert.published","data":{"reference":"A-TEST"}}'
    headers = webhook_headers(secret=secret, message_id="msg_1", body=body)
    assert Webhook(secret).verify(body, headers)["data"]["reference"] == "A-TEST"
    with pytest.raises(Exception):  # noqa: B017  a changed body does not verify
        Webhook(secret).verify(body.replace(b"A-TEST", b"A-OTHER"), headers)


def test_a_web_hook_goes_to_https_or_to_loopback_outside_production(settings):
    from protect.delivery.services import DeliveryError, check_webhook_url

    assert check_webhook_url("https://hooks.example.org/x") == "https://hooks.example.org/x"
    assert check_webhook_url("http://127.0.0.1:8080/x")
    for refused in ("http://hooks.example.org/x", "file:///etc/passwd", "ftp://127.0.0.1/x"):
        with pytest.raises(DeliveryError):
            check_webhook_url(refused)
    settings.PRODUCTION = True
    with pytest.raises(DeliveryError):
        check_webhook_url("http://127.0.0.1:8080/x")
