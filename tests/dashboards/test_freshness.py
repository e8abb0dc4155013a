"""The rollups follow the cases through a real worker: a decision is counted within 60 s, by the
outbox message its transition wrote, with no scan of the case tables when the page is read."""

from __future__ import annotations

import time

import pytest

from protect.dashboards.models import CaseFact, MonthRollup
from protect.outbox.models import OutboxMessage
from tests.dashboards.test_donor_dashboard import _funded_grant

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_an_approval_reaches_the_rollups_within_a_minute(celery_worker_process, team_africa, caseworker, reviewer):
    grant = _funded_grant(caseworker, reviewer, 1, amount_minor=300_000)
    assert OutboxMessage.objects.filter(task_name="dashboards.refresh_case", kwargs__case_id=grant.pk).exists()
    _wait_for(lambda: CaseFact.objects.filter(kind="grant", case_id=grant.pk, counted=True).exists(), 60,
              "the grant's fact")
    _wait_for(lambda: MonthRollup.objects.filter(kind="grant", need="", profile="", region="africa",
                                                 cases=1, eur_minor=300_000).exists(), 60, "the month's rollup")


def test_refreshing_a_case_twice_changes_nothing_the_second_time(team_africa, caseworker, reviewer):
    from protect.dashboards.services import rollup_refresh_case

    grant = _funded_grant(caseworker, reviewer, 1)
    rollup_refresh_case(kind="grant", case_id=grant.pk)
    first = list(MonthRollup.objects.values_list("kind", "month", "need", "profile", "cases", "eur_minor"))
    rollup_refresh_case(kind="grant", case_id=grant.pk)
    assert list(MonthRollup.objects.values_list("kind", "month", "need", "profile", "cases", "eur_minor")) == first
    assert CaseFact.objects.filter(kind="grant", case_id=grant.pk).count() == 1
