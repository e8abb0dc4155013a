"""The one way anything leaves Protect: record a delivery (an e-mail or a signed web hook), then
send it once. A delivery bound to a consent leaves only while that consent is in force."""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import smtplib
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from protect.core.errors import ProtectError
from protect.crypto.errors import DataKeyDestroyed
from protect.crypto.models import DataKey
from protect.outbox.services import outbox_enqueue

from .models import Delivery, SealedContent, WebhookEndpoint
from .signing import new_webhook_secret, secret_key, webhook_headers

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


class DeliveryTemporaryError(Exception):
    """The mail server or the receiver did not take the message this time; the task retries with back-off."""


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
    """A consent was revoked: every delivery bound to it that has not left yet never will. A delivery
    being sent holds its row lock, so it is either sent before this or cancelled by it."""
    return Delivery.objects.filter(consent=consent, sent_at=None, failed_at=None, cancelled_at=None).update(
        cancelled_at=timezone.now())


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


def _error_label(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    return type(exc).__name__


def delivery_send(*, delivery_id: int) -> str:
    """Send one recorded delivery unless it was sent already. The row stays locked while sending,
    so two workers given the same delivery send it once."""
    with transaction.atomic():
        rows = Delivery.objects.select_for_update(of=("self",)).select_related("sealed", "endpoint", "consent")
        delivery = rows.filter(pk=delivery_id).first()
        if delivery is None or delivery.status != "pending":
            return delivery.status if delivery is not None else "missing"
        content: tuple[str, str] | None
        try:
            content = delivery.content()
        except DataKeyDestroyed:
            content = None  # the defender was erased since: what it said is gone, and so is the message
        if content is None or (delivery.consent is not None and not delivery.consent.is_valid()):
            delivery.cancelled_at = timezone.now()  # revoked or expired since it was recorded
            delivery.save(update_fields=["cancelled_at"])
            return delivery.status
        subject, body = content
        delivery.attempts += 1
        try:
            if delivery.channel == Delivery.Channel.WEBHOOK:
                _post_webhook(delivery, body)
            else:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [delivery.recipient])
        except (smtplib.SMTPException, OSError, http.client.HTTPException) as exc:
            delivery.last_error = _error_label(exc)[:200]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.failed_at = timezone.now()
                logger.error("delivery %s failed for good after %s attempts", delivery.pk, delivery.attempts)
            delivery.save(update_fields=["attempts", "last_error", "failed_at"])
        else:
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["attempts", "sent_at"])
    if delivery.status == "pending":
        # Raised after the commit, so the attempt is counted; the task retries with back-off.
        raise DeliveryTemporaryError(f"delivery {delivery.pk}: attempt {delivery.attempts} failed")
    return delivery.status
