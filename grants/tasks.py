"""Celery entry points for grants: thin, idempotent, they look the grant up again and call services.

Notifications are not sent from here: services record them with protect.delivery, which sends each once."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="grants.route")
def route(grant_id: int) -> str | None:
    from .services import grant_route

    grant = grant_route(grant_id=grant_id)
    return grant.status if grant is not None else None


@shared_task(name="grants.sweep_sla")
def sweep_sla() -> int:
    from .services import grants_sweep_sla

    return grants_sweep_sla()


@shared_task(name="grants.report_reminders")
def report_reminders() -> int:
    from .services import grants_send_report_reminders

    return grants_send_report_reminders()
