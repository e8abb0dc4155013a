"""Celery entry points of the kernel: thin, idempotent; they look the case up again and call services."""

from __future__ import annotations

from celery import shared_task

from .registry import case_model
from .services.routing import case_route
from .services.sla import cases_sweep_sla


@shared_task(name="cases.route", priority=0)
def route(case_type: str, case_id: int) -> str | None:
    case = case_route(model=case_model(case_type), case_id=case_id)
    return case.status if case is not None else None


@shared_task(name="cases.sweep_sla")
def sweep_sla() -> int:
    return cases_sweep_sla()
