"""Transitions mark their cases for a refresh; one refresh counts every case waiting, and one that
another refresh holds, or that is marked after the read, is left for the next."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from grants.models import Grant
from protect.dashboards.models import CaseFact, PendingRefresh
from protect.dashboards.services import rollup_refresh_case, rollup_refresh_pending
from tests.dashboards.test_donor_dashboard import _funded_grant

pytestmark = pytest.mark.django_db


def test_one_refresh_counts_every_case_its_transitions_marked(team_africa, caseworker, reviewer):
    grants = [_funded_grant(caseworker, reviewer, n) for n in range(3)]
    marked = set(PendingRefresh.objects.filter(kind="grant").values_list("case_id", flat=True))
    assert marked == {grant.pk for grant in grants}  # one row per transition, several per case

    assert rollup_refresh_pending(kind="grant") == 3
    assert not PendingRefresh.objects.exists()
    counted = CaseFact.objects.filter(kind="grant", counted=True).values_list("case_id", flat=True)
    assert set(counted) == marked
    assert rollup_refresh_pending(kind="grant") == 0  # a later task of the same transitions: nothing left


@pytest.mark.django_db(transaction=True)
def test_a_refresh_skips_what_another_refresh_holds(team_africa, caseworker, reviewer):
    held = _funded_grant(caseworker, reviewer, 1)
    held_rows = list(PendingRefresh.objects.values_list("pk", flat=True))
    taken, release = threading.Event(), threading.Event()

    def another_refresh():
        with transaction.atomic():
            list(PendingRefresh.objects.select_for_update().filter(pk__in=held_rows))
            taken.set()
            release.wait(30)
        connection.close()

    other = threading.Thread(target=another_refresh)
    other.start()
    try:
        assert taken.wait(30)
        later = _funded_grant(caseworker, reviewer, 2)
        assert rollup_refresh_pending(kind="grant") == 1  # only the case nobody holds
        assert set(PendingRefresh.objects.values_list("case_id", flat=True)) == {held.pk}
        assert CaseFact.objects.filter(case_id=later.pk, counted=True).exists()
    finally:
        release.set()
        other.join(30)
    assert rollup_refresh_pending(kind="grant") == 1  # the held case, once its holder let go
    assert not PendingRefresh.objects.exists()


def _rollup_writes(queries):
    return [q["sql"][:60] for q in queries.captured_queries
            if any(f"dashboards_{table}" in q["sql"] for table in ("monthrollup", "hoursrollup", "defenderrollup"))]


def test_a_refresh_that_changes_no_counted_fact_sums_no_month_again_and_one_that_does_does(
        team_africa, caseworker, reviewer):
    grant = _funded_grant(caseworker, reviewer, 1)
    rollup_refresh_pending(kind="grant")
    with CaptureQueriesContext(connection) as unchanged:
        rollup_refresh_case(kind="grant", case_id=grant.pk)
    assert not _rollup_writes(unchanged)

    month = CaseFact.objects.get(kind="grant", case_id=grant.pk).month
    Grant.objects.filter(pk=grant.pk).update(decided_at=F("decided_at") - datetime.timedelta(days=45))
    with CaptureQueriesContext(connection) as changed:
        rollup_refresh_case(kind="grant", case_id=grant.pk)
    assert [q for q in changed.captured_queries if q["sql"].startswith("INSERT INTO dashboards_monthrollup")]
    assert CaseFact.objects.get(kind="grant", case_id=grant.pk).month < month


def test_a_new_case_routed_gets_its_fact_without_a_month_summed_again(team_africa, caseworker, reviewer):
    from grants import services
    from protect.cases.services.routing import case_route
    from tests.dashboards.test_donor_dashboard import DEFENDER, details

    grant, _ = services.grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER), details=details())
    case_route(model=Grant, case_id=grant.pk)
    with CaptureQueriesContext(connection) as routed:
        assert rollup_refresh_pending(kind="grant") == 1
    assert not _rollup_writes(routed)
    assert CaseFact.objects.filter(kind="grant", case_id=grant.pk, counted=False).exists()
