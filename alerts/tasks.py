"""Celery entry points for alerts: thin, idempotent (deliveries are keyed), retried with back-off."""

from __future__ import annotations

from celery import shared_task

from .services.distribution import alert_distribute
from .services.follow_ups import alerts_send_follow_ups


@shared_task(name="alerts.distribute", acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def distribute(alert_id: int, step: str) -> int:
    return alert_distribute(alert_id=alert_id, step=step)


@shared_task(name="alerts.follow_ups")
def follow_ups() -> int:
    return alerts_send_follow_ups()
