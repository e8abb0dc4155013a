"""Celery entry point for deliveries: thin, idempotent, retried with back-off."""

from __future__ import annotations

from celery import shared_task

from .services import MAX_ATTEMPTS, DeliveryTemporaryError


@shared_task(name="protect.delivery.send", autoretry_for=(DeliveryTemporaryError,), retry_backoff=30,
             retry_backoff_max=1800, retry_jitter=True, max_retries=MAX_ATTEMPTS)
def send(delivery_id: int) -> str:
    from .services import delivery_send

    return delivery_send(delivery_id=delivery_id)
