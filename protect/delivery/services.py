"""The one way anything leaves Protect: record a delivery (an e-mail or a signed web hook), then
send it once. A delivery bound to a consent leaves only while that consent is in force."""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import random
import smtplib
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from protect.celery import app
from protect.core.errors import ProtectError
from protect.crypto.errors import DataKeyDestroyed
from protect.crypto.models import DataKey
from protect.outbox.services import outbox_enqueue

from .models import Delivery, SealedContent, WebhookEndpoint
from .signing import new_webhook_secret, secret_key, webhook_headers

logger = logging.getLogger(__name__)


class DeliveryTemporaryError(Exception):
    """The mail server or the receiver did not take the message this time; the task retries at `retry_at`."""

    def __init__(self, message: str, *, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class DeliveryError(ProtectError):
    """A delivery that cannot be recorded as asked (a web hook URL or secret refused)."""


def _record(*, key: str, subject: str, body: str, sealed_under: DataKey | None, **fields: Any) -> Delivery:
    """One row per key, queued through the outbox in the caller's transaction: a retried task or a
    repeated call returns the existing row and queues nothing. With `sealed_under` (a defender's
    data key) the subject and body are stored sealed under it, never readable in the table."""
    with transaction.atomic():
        existing = Delivery.objects.filter(key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                if sealed_under is not None:
                    fields["sealed"] = SealedContent.objects.create(data_key=sealed_under, subject=subject, body=body)
                    subject, body = "", ""
                delivery = Delivery.objects.create(key=key, subject=subject[:200], body=body, **fields)
        except IntegrityError:
            return Delivery.objects.get(key=key)  # a concurrent call recorded it first
        outbox_enqueue(task_name="protect.delivery.send", kwargs={"delivery_id": delivery.pk})
    return delivery


def delivery_email(*, key: str, to: str, subject: str, body: str, consent: Any = None,
                   sealed_under: DataKey | None = None) -> Delivery | None:
    """Record an e-mail to send (in the caller's transaction) and queue it through the outbox.

    Idempotent by `key`. No recipient address (a staff member without e-mail) records nothing."""
    if not to:
        return None
    return _record(key=key, channel=Delivery.Channel.EMAIL, recipient=to, subject=subject, body=body,
                   consent=consent, sealed_under=sealed_under)


def delivery_webhook(*, key: str, endpoint: WebhookEndpoint, event: str, payload: dict[str, Any],
                     consent: Any = None, sealed_under: DataKey | None = None) -> Delivery:
    """Record a web hook (a JSON body, signed at each attempt with the endpoint's secret) and queue it.
    Idempotent by `key`; `webhook-id` stays the same on every retry."""
    body = json.dumps({"type": event, "timestamp": timezone.now().isoformat(), "data": payload},
                      cls=DjangoJSONEncoder, ensure_ascii=False)
    return _record(key=key, channel=Delivery.Channel.WEBHOOK, endpoint=endpoint, recipient=f"web hook {endpoint.pk}",
                   subject=event, body=body, consent=consent, sealed_under=sealed_under)


def check_webhook_url(url: str) -> str:
    """https only; plain http only to a loopback address, and only outside production (tests, demo)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and not settings.PRODUCTION:
        try:
            if ipaddress.ip_address(parts.hostname).is_loopback:
                return url
        except ValueError:
            pass
    raise DeliveryError("A web hook address must be an https URL.", code="webhook_url", field="address")


def webhook_endpoint_create(*, url: str, secret: str = "") -> tuple[WebhookEndpoint, str]:
    """A web hook endpoint with the given `whsec_` secret, or a new one: returned so the caller can
    show it once (it is stored sealed, never shown again)."""
    url = check_webhook_url(url)
    secret = secret.strip() or new_webhook_secret()
    try:
        secret_key(secret)
    except ValueError as exc:
        raise DeliveryError(f"The web hook secret is not valid: {exc}.", code="webhook_secret", field="secret") from exc
    endpoint = WebhookEndpoint(url=url, secret=secret)
    endpoint.save()
    return endpoint, secret


def deliveries_cancel_for_consent(*, consent: Any) -> int:
    """A consent was revoked: every delivery bound to it that has not left yet never will. One leaving
    at this instant (`sending_at` set) cannot be called back: its outcome is recorded as it comes, and
    if that attempt fails the retry finds the consent revoked and cancels it."""
    return Delivery.objects.filter(consent=consent, sent_at=None, failed_at=None, cancelled_at=None,
                                   sending_at=None).update(cancelled_at=timezone.now())


def _post_webhook(delivery: Delivery, text: str) -> None:
    endpoint = delivery.endpoint
    assert endpoint is not None
    body = text.encode()
    headers = webhook_headers(secret=endpoint.secret, message_id=f"msg_{delivery.message_id.hex}", body=body)
    # check_webhook_url allows https, or http to loopback outside production: never file: or another scheme.
    url = check_webhook_url(endpoint.url)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=settings.PROTECT_WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
        response.read(1024)


# What a failed attempt means for the delivery: try again (counted against the attempts allowed),
# wait for our own mail server (never gives up: nothing is lost while it is down), or give up now.
RETRY, WAIT, GIVE_UP = "retry", "wait", "give_up"


def _failure(delivery: Delivery, exc: Exception) -> tuple[str, str]:
    """(what to do next, the reason shown in the delivery report) for a failed attempt."""
    if delivery.channel == Delivery.Channel.WEBHOOK:
        if isinstance(exc, urllib.error.HTTPError):
            return RETRY, f"HTTP {exc.code}"
        if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
            return RETRY, f"no answer within {settings.PROTECT_WEBHOOK_TIMEOUT_SECONDS} s"
        reason = getattr(exc, "reason", exc)
        return RETRY, f"receiver unreachable ({type(reason).__name__})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return GIVE_UP, f"address refused by the mail server ({codes[0]})"
        return RETRY, f"address deferred by the mail server ({codes[0] if codes else '?'})"
    if isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500:
        return GIVE_UP, f"message refused by the mail server ({exc.smtp_code})"
    return WAIT, f"mail server unavailable ({type(exc).__name__})"


def _backoff(attempts: int) -> timedelta:
    """Exponential back-off with up to a quarter of jitter, so a thousand deliveries held back by the
    same outage do not all come back in the same second."""
    base = settings.PROTECT_DELIVERY_BACKOFF_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.PROTECT_DELIVERY_BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds * (1 + random.uniform(0, 0.25)))


@contextmanager
def _sender_lock(delivery_id: int) -> Iterator[bool]:
    """True when no other live worker is sending this delivery. On PostgreSQL a session advisory lock:
    the server drops it the moment its worker's connection dies, so a killed worker's claim is seen
    as dead at once, with no timeout to guess. (The SQLite demo runs one worker: always True.)"""
    if connection.vendor != "postgresql":
        yield True
        return
    key = [_SENDER_LOCK_CLASS, delivery_id & 0x7FFFFFFF]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


_SENDER_LOCK_CLASS = 0x64656C  # "del": our namespace of advisory locks
INTERRUPTED = "interrupted while sending (worker stopped): not sent again, so it cannot arrive twice"


def _claim(delivery_id: int) -> tuple[Delivery, str, str] | str:
    """Record the attempt before it leaves (committed), or say why there is nothing to send."""
    with transaction.atomic():
        rows = Delivery.objects.select_for_update(of=("self",)).select_related(
            "sealed__data_key", "endpoint__data_key", "consent")
        delivery = rows.filter(pk=delivery_id).first()
        if delivery is None or delivery.status != "pending":
            return delivery.status if delivery is not None else "missing"
        now = timezone.now()
        if delivery.sending_at is not None:
            # An attempt began and its worker died before recording how it went (we hold the sender
            # lock, so it is not running): it may have arrived. At most once: never sent again.
            delivery.failed_at, delivery.last_error, delivery.next_attempt_at = now, INTERRUPTED, None
            delivery.save(update_fields=["failed_at", "last_error", "next_attempt_at"])
            logger.error("delivery %s was interrupted while sending; not sent again", delivery.pk)
            return delivery.status
        subject, body = "", ""
        try:
            subject, body = delivery.content()
        except DataKeyDestroyed:
            delivery.cancelled_at = now  # the defender was erased since: what it said is gone, and so is the message
        if delivery.consent is not None and not delivery.consent.is_valid():
            delivery.cancelled_at = now  # revoked or expired since it was recorded
        if delivery.cancelled_at is not None:
            delivery.next_attempt_at = None
            delivery.save(update_fields=["cancelled_at", "next_attempt_at"])
            return delivery.status
        delivery.attempts += 1
        delivery.sending_at = now
        delivery.save(update_fields=["attempts", "sending_at"])
    return delivery, subject, body


def _record_outcome(delivery: Delivery, error: Exception | None) -> Delivery:
    """Write how the attempt went. One UPDATE, no lock: we hold the sender lock, and nothing else
    writes a row while it is being sent (a revocation leaves it alone). Committed without waiting for
    the disk: should the database crash before it is flushed, the row still says `sending` and is
    failed as interrupted, never sent twice; the claim before sending is the commit that must last."""
    now = timezone.now()
    delivery.sending_at = None
    delivery.next_attempt_at = None
    if error is None:
        delivery.sent_at = now
    else:
        then, delivery.last_error = _failure(delivery, error)
        if then == GIVE_UP or (then == RETRY and delivery.attempts >= settings.PROTECT_DELIVERY_MAX_ATTEMPTS):
            delivery.failed_at = now
            logger.error("delivery %s failed for good after %s attempts: %s", delivery.pk, delivery.attempts,
                         delivery.last_error)
        else:
            delivery.next_attempt_at = now + _backoff(delivery.attempts)
            logger.warning("delivery %s: attempt %s failed (%s), next at %s", delivery.pk, delivery.attempts,
                           delivery.last_error, delivery.next_attempt_at.isoformat())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        Delivery.objects.filter(pk=delivery.pk).update(
            sending_at=None, next_attempt_at=delivery.next_attempt_at, sent_at=delivery.sent_at,
            failed_at=delivery.failed_at, last_error=delivery.last_error)
    return delivery


def delivery_send(*, delivery_id: int) -> str:
    """Send one recorded delivery at most once, however often (and on however many workers) the task runs.

    The attempt is recorded and committed before the message leaves and its outcome after: a second
    task finds it sent, failed, being sent by a live worker (it leaves it alone), or begun by a dead
    one (it may have arrived: failed, never sent twice). A failed attempt raises
    DeliveryTemporaryError after its commit, carrying when to try again."""
    with _sender_lock(delivery_id) as ours:
        if not ours:
            return "sending"  # another worker is sending it now and records how it went
        outcome = _claim(delivery_id)
        if isinstance(outcome, str):
            return outcome
        claimed, subject, body = outcome
        error: Exception | None = None
        try:
            if claimed.channel == Delivery.Channel.WEBHOOK:
                _post_webhook(claimed, body)
            else:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [claimed.recipient])
        except (smtplib.SMTPException, OSError, http.client.HTTPException) as exc:
            error = exc
        delivery = _record_outcome(claimed, error)
    if delivery.status == "pending":
        assert delivery.next_attempt_at is not None
        raise DeliveryTemporaryError(f"delivery {delivery.pk}: attempt {delivery.attempts} failed "
                                     f"({delivery.last_error})", retry_at=delivery.next_attempt_at)
    return delivery.status


RESUME_AFTER = timedelta(minutes=15)
RESUME_BATCH = 500


def deliveries_resume_overdue(*, now: datetime | None = None) -> int:
    """Queue again every pending delivery whose task should have run long ago: a retry message lost
    with the broker, a first send never picked up, an attempt whose worker died and whose task never
    came back. Queuing one twice is harmless (delivery_send sends at most once); this is what makes
    sure none waits for ever. Returns how many were queued."""
    cutoff = (now or timezone.now()) - RESUME_AFTER
    overdue = (Delivery.objects.filter(sent_at=None, failed_at=None, cancelled_at=None)
               .filter(Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at=None, created_at__lt=cutoff))
               .order_by("created_at").values_list("pk", flat=True)[:RESUME_BATCH])
    queued = 0
    for delivery_id in overdue:
        app.send_task("protect.delivery.send", kwargs={"delivery_id": delivery_id})
        queued += 1
    return queued
