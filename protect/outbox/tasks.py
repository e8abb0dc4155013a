"""Periodic relay of the outbox (Celery beat)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="protect.outbox.relay")
def relay() -> int:
    from .services import outbox_relay

    return outbox_relay()
