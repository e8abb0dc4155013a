"""Celery entry points for grants: thin, idempotent, they look the grant up again and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger(__name__)


@shared_task(name="grants.route")
def route(grant_id: int) -> str | None:
    from .services import grant_route

    grant = grant_route(grant_id=grant_id)
    return grant.status if grant is not None else None


def _mail(recipients: list[str], subject: str, body: str) -> None:
    # Only a reference and a link leave the system: never a name, a place or a narrative.
    recipients = [r for r in recipients if r]
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(name="grants.notify_assigned")
def notify_assigned(grant_id: int) -> None:
    from .models import Grant

    grant = Grant.objects.select_related("caseworker").filter(pk=grant_id).first()
    if grant is None or grant.caseworker is None:
        return
    _mail([grant.caseworker.email], f"New case {grant.reference} in your queue",
          f"A {grant.get_urgency_display().lower()} case, {grant.reference}, was assigned to you.\n"
          f"Open it in Protect: /cases/{grant.reference}/\n")


@shared_task(name="grants.notify_escalation")
def notify_escalation(grant_id: int, threshold: str) -> None:
    from .models import Grant

    grant = Grant.objects.select_related("team__coordinator").filter(pk=grant_id).first()
    if grant is None or grant.team is None or grant.team.coordinator is None:
        return
    what = "is past its deadline" if threshold == "overdue" else "is close to its deadline"
    _mail([grant.team.coordinator.email], f"Case {grant.reference} {what}",
          f"Case {grant.reference} {what}. Open it in Protect: /cases/{grant.reference}/\n")


@shared_task(name="grants.notify_report_due")
def notify_report_due(grant_id: int, stage: int) -> None:
    from .models import Grant

    grant = Grant.objects.select_related("caseworker").filter(pk=grant_id).first()
    if grant is None or grant.caseworker is None:
        return
    _mail([grant.caseworker.email], f"Report for {grant.reference} {'due soon' if stage == 1 else 'overdue'}",
          f"The report for grant {grant.reference} is {'due soon' if stage == 1 else 'overdue'}.\n")


@shared_task(name="grants.sweep_sla")
def sweep_sla() -> int:
    from .services import grants_sweep_sla

    return grants_sweep_sla()


@shared_task(name="grants.report_reminders")
def report_reminders() -> int:
    from .services import grants_send_report_reminders

    return grants_send_report_reminders()
