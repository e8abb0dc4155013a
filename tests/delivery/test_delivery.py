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
        assert set(pool.map(run, range(30))) == {"sent"}
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_is_retried_then_given_up(monkeypatch):
    delivery = delivery_email(key="tests.hello:4", to="amina@example.org", subject="Hello", body="Case G-4")

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("protect.delivery.services.send_mail", refuse)
    for attempt in range(1, 6):
        with pytest.raises(DeliveryTemporaryError):
            delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.status == "pending"
    assert delivery_send(delivery_id=delivery.pk) == "failed"
    assert send.max_retries == 6



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
