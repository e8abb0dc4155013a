"""After payment: the defender's report (or a coordinator's waiver) and the reminders for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from protect.audit.services import log_event
from protect.cases.models import CaseFile
from protect.cases.services.casefile import case_attach_file
from protect.core.errors import clean_or_refuse
from protect.delivery.services import delivery_email

from ..models import Grant, Report
from ..money import GrantError
from ..workflow import GRANT_WORKFLOW


def grant_receive_report(
    *, grant: Grant, by: Any, narrative: str, receipts: list[UploadedFile] | None = None
) -> Report:
    narrative = narrative.strip()
    if not narrative:
        raise GrantError("Write what the report says.", code="narrative", field="narrative")
    with transaction.atomic():
        if Report.objects.filter(grant=grant).exists():
            GRANT_WORKFLOW.require_may(grant, "receive_report", by=by)  # finance: refused, not "received"
            return Report.objects.get(grant=grant)  # a double click
        with GRANT_WORKFLOW.acting(grant, "receive_report", by=by) as grant:
            report = Report(grant=grant, narrative=narrative, received_by=by)
            clean_or_refuse(report)
            report.save()
            for upload in receipts or []:
                case_attach_file(case=grant, by=by, uploaded_file=upload, kind=CaseFile.Kind.RECEIPT)
            log_event("grants.report.received", actor=by, target=grant, data={"receipts": len(receipts or [])})
    return report


def grant_waive_report(*, grant: Grant, by: Any, reason: str) -> Grant:
    """A coordinator waives the report when asking for receipts would put the defender at risk."""
    reason = reason.strip()
    if not reason:
        raise GrantError("Say why the report is waived.", code="reason", field="reason")
    with transaction.atomic():
        if Grant.objects.filter(pk=grant.pk, report_waived_by__isnull=False).exists():
            GRANT_WORKFLOW.require_may(grant, "waive_report", by=by)
            return Grant.objects.get(pk=grant.pk)  # a double click
        with GRANT_WORKFLOW.acting(grant, "waive_report", by=by) as grant:
            grant.report_waived_by = by
            grant.report_waiver_reason = reason
            grant.save(update_fields=["report_waived_by", "report_waiver_reason"])
            log_event("grants.report.waived", actor=by, target=grant)
    return grant


def grants_send_report_reminders(*, now: datetime | None = None) -> int:
    """Remind the caseworker of reports falling due (7 days before) and overdue (once each)."""
    now = now or timezone.now()
    sent = 0
    due = Grant.objects.filter(status=Grant.Status.REPORTING, report_waived_by__isnull=True, report__isnull=True,
                               report_due_at__isnull=False)
    for stage, when in ((1, timedelta(days=7)), (2, timedelta(0))):
        batch = due.filter(report_reminders_sent__lt=stage, report_due_at__lte=now + when)
        for grant_id in batch.values_list("pk", flat=True):
            with transaction.atomic():
                grant = Grant.objects.select_for_update(of=("self",)).select_related("caseworker").get(pk=grant_id)
                if grant.report_reminders_sent >= stage:
                    continue
                grant.report_reminders_sent = stage
                grant.save(update_fields=["report_reminders_sent"])
                log_event("grants.report.reminder_sent", actor=None, target=grant, data={"stage": stage})
                if grant.caseworker is not None:
                    phrase = "is due in a week" if stage == 1 else "is due"
                    delivery_email(key=f"grants.report_due:{grant.pk}:{stage}", to=grant.caseworker.email,
                                   subject=f"Report for {grant.reference} {phrase}",
                                   body=f"The report for grant {grant.reference} {phrase}.\n")
                sent += 1
    return sent
