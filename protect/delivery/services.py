"""The one way anything leaves Protect: record a delivery, then send it once."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from protect.outbox.services import outbox_enqueue

from .models import Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


class DeliveryTemporaryError(Exception):
    """The mail server did not take the message this time; the task retries with back-off."""


def delivery_email(*, key: str, to: str, subject: str, body: str) -> Delivery | None:
    """Record an e-mail to send (in the caller's transaction) and queue it through the outbox.

    Idempotent by `key`: a retried task or a repeated call returns the existing row. No recipient
    address (a staff member without e-mail) records nothing."""
    if not to:
        return None
    with transaction.atomic():
        existing = Delivery.objects.filter(key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(key=key, recipient=to, subject=subject[:200], body=body)
        except IntegrityError:
            return Delivery.objects.get(key=key)  # a concurrent call recorded it first
        outbox_enqueue(task_name="protect.delivery.send", kwargs={"delivery_id": delivery.pk})
    return delivery


def delivery_send(*, delivery_id: int) -> str:
    """Send one recorded delivery unless it was sent already. The row stays locked while sending,
    so two workers given the same delivery send it once."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != "pending":
            return delivery.status if delivery is not None else "missing"
        delivery.attempts += 1
        try:
            send_mail(delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.recipient])
        except (smtplib.SMTPException, OSError) as exc:
            delivery.last_error = type(exc).__name__[:200]
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
