"""Celery entry points for relocations: thin, idempotent, they call services."""

from __future__ import annotations

from celery import shared_task

from .services.stipends import relocations_create_stipends


@shared_task(name="relocation.create_stipends")
def create_stipends() -> int:
    """Beat, every few hours: each month's stipend instalments (safe to run twice, or concurrently)."""
    return relocations_create_stipends()
