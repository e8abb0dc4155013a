"""Stipends written by a real Celery worker on Redis: two runs at once, and a worker killed in the
middle of a run, still leave one instalment per relocation and month (the unique constraint, and
each relocation's months written in one transaction with its row locked)."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.utils import timezone

from protect.audit.models import AuditEvent
from relocation.models import StipendInstalment
from relocation.services import relocation_add_budget_line
from relocation.tasks import create_stipends

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate()


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def two_stays(relocation_in, caseworker, host_of):
    """Two relocations in residence for forty days (two stipend months each), with a stipend line."""
    host = host_of(places=5)
    stays = []
    for _ in range(2):
        starts_on = TODAY - datetime.timedelta(days=40)
        relocation = relocation_in("in_residence", host=host, starts_on=starts_on,
                                   ends_on=starts_on + datetime.timedelta(days=180))
        relocation_add_budget_line(relocation=relocation, by=caseworker, kind="stipend", amount_minor=40_000,
                                   currency="EUR")
        stays.append(relocation)
    return stays


def _months(relocation) -> list[datetime.date]:
    return list(StipendInstalment.objects.filter(relocation=relocation).order_by("month")
                .values_list("month", flat=True))


def test_two_runs_at_once_on_a_real_worker_write_each_month_once(celery_worker_process, two_stays):
    results = [create_stipends.delay(), create_stipends.delay()]  # the worker runs both at once (concurrency 2)
    assert sum(result.get(timeout=60) for result in results) == 4  # however the two runs interleaved
    for relocation in two_stays:
        assert len(_months(relocation)) == 2
    assert AuditEvent.objects.filter(action="relocation.stipend.created").count() == 4


def _start_worker(env, log_path):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "protect", "worker", "--loglevel", "INFO", "--concurrency", "1",
         "--without-mingle", "--without-gossip", "--hostname", f"stipends-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )


def test_a_worker_killed_mid_run_leaves_one_instalment_per_month(test_database_url, two_stays):
    first_stay, second_stay = two_stays
    queue = f"protect-stipends-{uuid.uuid4().hex[:8]}"  # a queue of its own: no other worker takes the task
    env = os.environ | {"DATABASE_URL": test_database_url, "PROTECT_TASK_QUEUE": queue,
                        "CELERY_VISIBILITY_TIMEOUT": "6", "CELERY_UNACKED_RESTORE_INTERVAL": "1"}
    log = ROOT / "var" / "test-kill-workers.log"
    dsn = test_database_url.replace("postgres://", "postgresql://", 1)

    # Hold the second relocation's row: the worker writes the first one's months, then waits here.
    blocker = psycopg2.connect(dsn)
    blocker.cursor().execute("SELECT id FROM relocation_relocation WHERE id = %s FOR UPDATE", [second_stay.pk])
    watcher = psycopg2.connect(dsn)
    watcher.autocommit = True
    first = _start_worker(env, log)
    try:
        create_stipends.apply_async(queue=queue)

        def blocked_on_the_second_stay():
            cursor = watcher.cursor()
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                           ['SELECT "relocation_relocation".%'])
            return cursor.fetchone()[0] > 0

        _wait_for(blocked_on_the_second_stay, 60, "the worker to reach the second relocation")
        assert len(_months(first_stay)) == 2 and _months(second_stay) == []  # mid-run: half done, committed
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker dies, the message unacknowledged
        first.wait(timeout=10)
        blocker.rollback()

        second = _start_worker(env, log)
        try:
            _wait_for(lambda: len(_months(second_stay)) == 2, 90, "redelivery and the second relocation's months")
            time.sleep(1)  # let any duplicate delivery run too
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=20)
    finally:
        blocker.close()
        watcher.close()
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    assert len(_months(first_stay)) == 2 and len(_months(second_stay)) == 2
    assert StipendInstalment.objects.count() == 4
    assert AuditEvent.objects.filter(action="relocation.stipend.created").count() == 4
