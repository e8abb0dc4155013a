"""Celery entry points for relocations: thin, idempotent, they look the relocation up again and
call services."""

from __future__ import annotations

from celery import shared_task

from .services.matching import RANK_TASK, relocation_rank_hosts
from .services.stipends import relocations_create_stipends


@shared_task(name=RANK_TASK, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def rank_hosts(relocation_id: int, version: int) -> int | None:
    """Rank the hosts for one version of a relocation's criteria; a stale or repeated run stores nothing."""
    matching = relocation_rank_hosts(relocation_id=relocation_id, version=version)
    return len(matching.ranking) if matching is not None else None


@shared_task(name="relocation.create_stipends")
def create_stipends() -> int:
    """Beat, every few hours: each month's stipend instalments (safe to run twice, or concurrently)."""
    return relocations_create_stipends()
