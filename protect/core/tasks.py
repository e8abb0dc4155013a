"""Liveness tasks: `protect.ping` proves the broker→worker→result round trip."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "protect:beat:last"


@shared_task(name="protect.ping", ignore_result=False)
def ping() -> str:
    return "pong"


@shared_task(name="protect.heartbeat")
def heartbeat() -> str:
    """Run by beat: its timestamp in the cache tells /healthz that the scheduler is alive."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
