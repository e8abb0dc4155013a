"""Celery entry points for grants: thin, idempotent, they call services. Routing and the SLA sweep
are the kernel's (cases.route, cases.sweep_sla)."""

from __future__ import annotations

from celery import shared_task

from .services.reporting import grants_send_report_reminders


@shared_task(name="grants.report_reminders")
def report_reminders() -> int:
    return grants_send_report_reminders()
