"""The grant workers: nothing accepted is lost when Redis is down; SLA escalations and report
reminders fire once per threshold, through the real worker."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from grants import services
from grants.models import Escalation, Grant
from grants.tasks import report_reminders
from protect.audit.models import AuditEvent
from protect.cases.services.routing import case_route
from protect.cases.services.sla import cases_sweep_sla
from protect.cases.services.transitions import case_transition
from protect.cases.tasks import sweep_sla
from protect.outbox.models import OutboxMessage
from protect.outbox.services import outbox_relay

ROOT = Path(__file__).resolve().parents[2]

SUBMIT_WHILE_REDIS_IS_DOWN = """
import django; django.setup()
from grants.services import grant_submit_public
from tests.grants.conftest import DEFENDER, details
grant, _ = grant_submit_public(defender_data=dict(DEFENDER), details=details())
print(grant.pk)
"""


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_request_submitted_while_redis_is_down_is_kept_and_routed_when_it_returns(
    celery_worker_process, test_database_url, team_africa, caseworker
):
    env = os.environ | {"DATABASE_URL": test_database_url, "REDIS_URL": "redis://127.0.0.1:1/0"}
    result = subprocess.run([sys.executable, "-c", SUBMIT_WHILE_REDIS_IS_DOWN], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    grant = Grant.objects.get(pk=int(result.stdout.strip().splitlines()[-1]))
    assert grant.status == "submitted"
    pending = OutboxMessage.objects.get(task_name="cases.route", relayed_at=None)
    assert pending.kwargs == {"case_type": "grants.grant", "case_id": grant.pk} and pending.attempts == 1

    assert outbox_relay() == 1  # what the beat relay does once Redis answers again
    deadline = time.monotonic() + 20
    while Grant.objects.get(pk=grant.pk).status != "triage" and time.monotonic() < deadline:
        time.sleep(0.2)
    grant.refresh_from_db()
    assert grant.status == "triage" and grant.caseworker == caseworker
    assert outbox_relay(ids=[pending.pk]) == 0  # relayed once, never again


@pytest.fixture
def routed_grant(hotline_grant):
    grant = hotline_grant(urgency="critical")
    return case_route(model=Grant, case_id=grant.pk)


@pytest.mark.django_db
def test_sla_sweep_escalates_near_then_overdue_once_each(routed_grant, coordinator):
    submitted = routed_grant.submitted_at
    assert cases_sweep_sla(now=submitted + datetime.timedelta(hours=1)) == 0
    near = submitted + datetime.timedelta(hours=19)  # critical: 24 h, near at 18 h
    assert cases_sweep_sla(now=near) == 1
    assert cases_sweep_sla(now=near) == 0
    late = submitted + datetime.timedelta(hours=25)
    assert cases_sweep_sla(now=late) == 1
    assert cases_sweep_sla(now=late + datetime.timedelta(hours=5)) == 0
    assert list(Escalation.objects.filter(case=routed_grant).values_list("threshold", flat=True).order_by("pk")) == [
        "near", "overdue"]
    assert AuditEvent.objects.filter(action__startswith="grants.grant.escalated_").count() == 2


@pytest.mark.django_db
def test_sla_sweep_leaves_decided_cases_alone(routed_grant, caseworker):
    case_transition(case=routed_grant, by=caseworker, action="reject", reason="Not an HRD case.")
    assert cases_sweep_sla(now=timezone.now() + datetime.timedelta(days=30)) == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_tasks_run_on_the_worker(celery_worker_process, routed_grant):
    Grant.objects.filter(pk=routed_grant.pk).update(
        sla_near_at=timezone.now() - datetime.timedelta(hours=2),
        sla_due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert sweep_sla.delay().get(timeout=20) == 1
    assert sweep_sla.delay().get(timeout=20) == 0
    assert report_reminders.delay().get(timeout=20) == 0


@pytest.mark.django_db
def test_report_reminders_go_once_per_stage(routed_grant, caseworker, reviewer, finance, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caseworker.email = "amina@example.org"
    caseworker.save(update_fields=["email"])
    grant = routed_grant
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve", verification=["partner_asked"],
                                 note="")
    services.grant_approve(grant=grant, by=reviewer, amount_minor=300_000)
    services.grant_record_disbursement(grant=grant, by=finance, payment_reference="R-1", amount_minor=300_000,
                                       payee_kind="defender", payee_details="", paid_on=datetime.date.today())
    grant.refresh_from_db()
    due = grant.report_due_at
    assert services.grants_send_report_reminders(now=due - datetime.timedelta(days=30)) == 0
    assert services.grants_send_report_reminders(now=due - datetime.timedelta(days=6)) == 1
    assert services.grants_send_report_reminders(now=due - datetime.timedelta(days=5)) == 0
    assert services.grants_send_report_reminders(now=due + datetime.timedelta(days=1)) == 1
    assert services.grants_send_report_reminders(now=due + datetime.timedelta(days=9)) == 0
    from protect.delivery.models import Delivery

    assert sorted(Delivery.objects.filter(key__startswith="grants.report_due:").values_list("key", flat=True)) == [
        f"grants.report_due:{grant.pk}:1", f"grants.report_due:{grant.pk}:2"]


@pytest.mark.django_db
def test_routing_notifies_the_caseworker_once(hotline_grant, caseworker):
    from protect.delivery.models import Delivery

    caseworker.email = "amina@example.org"
    caseworker.save()
    grant = hotline_grant()
    case_route(model=Grant, case_id=grant.pk)
    case_route(model=Grant, case_id=grant.pk)  # a redelivered routing task
    deliveries = Delivery.objects.filter(key__startswith="grants.assigned:")
    assert deliveries.count() == 1
    assert deliveries.get().recipient == "amina@example.org"
    assert grant.reference in deliveries.get().body
    assert "Achieng" not in deliveries.get().body and "Police" not in deliveries.get().body
