"""Routing by a real Celery worker on Redis: on submission, and after a worker dies mid-routing."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import pytest

from grants.models import Grant, GrantUserObjectPermission
from protect.audit.models import AuditEvent
from protect.cases.services import intake as case_intake
from protect.cases.tasks import route

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_a_submitted_request_is_routed_by_the_worker(celery_worker_process, hotline_grant, caseworker):
    grant = hotline_grant()
    _wait_for(lambda: Grant.objects.get(pk=grant.pk).status == "triage", 20, "routing")
    grant.refresh_from_db()
    assert grant.caseworker == caseworker and grant.team.name == "Africa desk"
    assert grant.routed_at is not None and grant.sla_due_at > grant.submitted_at


def _start_worker(env, log_path):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "protect", "worker", "--loglevel", "INFO", "--concurrency", "1",
         "--without-mingle", "--without-gossip", "--hostname", f"kill-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )


def _dsn(test_database_url):
    return test_database_url.replace("postgres://", "postgresql://", 1)


def test_a_worker_killed_mid_routing_leaves_the_case_routed_exactly_once(
    test_database_url, hotline_grant, caseworker, monkeypatch, tmp_path
):
    # The grant is created without its routing message, which this test sends itself to a queue
    # of its own, so that no other worker can take it.
    monkeypatch.setattr(case_intake, "outbox_enqueue", lambda **kwargs: None)
    grant = hotline_grant()
    assert grant.status == "submitted"
    queue = f"protect-kill-{uuid.uuid4().hex[:8]}"
    env = os.environ | {"DATABASE_URL": test_database_url, "PROTECT_TASK_QUEUE": queue,
                        "CELERY_VISIBILITY_TIMEOUT": "6", "CELERY_UNACKED_RESTORE_INTERVAL": "1"}
    log = ROOT / "var" / "test-kill-workers.log"

    # Hold the grant's row lock so the worker stops inside the routing transaction.
    blocker = psycopg2.connect(_dsn(test_database_url))
    blocker.cursor().execute("SELECT id FROM grants_grant WHERE id = %s FOR UPDATE", [grant.pk])
    first = _start_worker(env, log)
    watcher = psycopg2.connect(_dsn(test_database_url))
    watcher.autocommit = True
    try:
        route.apply_async(kwargs={"case_type": "grants.grant", "case_id": grant.pk}, queue=queue)

        def worker_is_blocked_on_the_grant():
            cursor = watcher.cursor()
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                ['SELECT "grants_grant".%'],  # the text is cut at 1 kB, before its FOR UPDATE
            )
            return cursor.fetchone()[0] > 0

        try:
            _wait_for(worker_is_blocked_on_the_grant, 30, "the worker to start routing")
        except AssertionError:
            cursor = watcher.cursor()
            cursor.execute("SELECT state, wait_event_type, left(query, 200) FROM pg_stat_activity")
            raise AssertionError(cursor.fetchall()) from None
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker dies mid-task, message unacknowledged
        first.wait(timeout=10)
        blocker.rollback()

        second = _start_worker(env, log)
        try:
            _wait_for(lambda: Grant.objects.get(pk=grant.pk).status == "triage", 60, "redelivery and routing")
            time.sleep(1)  # let any duplicate delivery run too
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=20)
    finally:
        blocker.close()
        watcher.close()
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    grant.refresh_from_db()
    assert grant.caseworker == caseworker
    assert AuditEvent.objects.filter(action="grants.grant.route", target_id=str(grant.pk)).count() == 1
    assert GrantUserObjectPermission.objects.filter(content_object=grant, user=caseworker).count() == 2  # view+change
