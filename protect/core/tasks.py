"""Liveness and housekeeping tasks: `protect.ping` proves the broker→worker→result round trip;
`protect.clear_sessions` removes expired sessions."""

from __future__ import annotations

from importlib import import_module

from celery import shared_task
from django.conf import settings
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


@shared_task(name="protect.clear_sessions")
def clear_sessions() -> None:
    """Run by beat: what `manage.py clearsessions` does. An expired session row still says that
    someone was signed in, or opened a request's status page, and when: it goes once it has expired."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
