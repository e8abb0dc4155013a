"""Celery entry points of the dashboards: thin and safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dashboards.refresh_case", acks_late=True, autoretry_for=(Exception,), retry_backoff=True,
             max_retries=5)
def refresh_case(kind: str, case_id: int) -> int:
    """A transition of this case was committed: count it, with whatever else is waiting (the case
    is named for the logs; its PendingRefresh row is what says it waits)."""
    from .services import rollup_refresh_pending

    return rollup_refresh_pending(kind=kind)


@shared_task(name="dashboards.reconcile", acks_late=True)
def reconcile() -> dict[str, int]:
    from .services import rollups_reconcile

    return rollups_reconcile()
