"""The rollups the page reads for what does not add up by month (distinct defenders, the women's
share, response-time percentiles) give what one aggregate over the facts gives, for any period and
filter, whether built in bulk or kept up case by case."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from grants.models import Grant
from protect.dashboards.benchdata import generate
from protect.dashboards.models import DefenderRollup, HoursRollup
from protect.dashboards.selectors import Filters, _people_and_hours
from protect.dashboards.services import rollup_refresh_case, rollups_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_data():
    generate(300, log=lambda _line: None, background=False)
    rollups_rebuild()


def _direct(filters: Filters) -> dict:
    """The same figures by one aggregate over the facts (what the page computed before)."""
    where = ["counted", "month >= %(start)s", "month < %(end)s"]
    params = {"start": filters.start, "end": filters.end, "need": filters.need, "profile": filters.profile,
              "region": filters.region, "country": filters.country}
    for column in ("region", "country"):
        if getattr(filters, column):
            where.append(f"{column} = %({column})s")
    if filters.need:
        where.append("kind = 'grant' AND needs @> ARRAY[%(need)s]::varchar[]")
    if filters.profile:
        where.append("profiles @> ARRAY[%(profile)s]::varchar[]")
    grant = "kind = 'grant'"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT defender_id), "
            "count(DISTINCT defender_id) FILTER (WHERE profiles @> ARRAY['women_hrd']::varchar[]), "
            f"count(hours_to_decision) FILTER (WHERE {grant}), "
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY hours_to_decision) FILTER (WHERE {grant}), "
            f"percentile_cont(0.9) WITHIN GROUP (ORDER BY hours_to_decision) FILTER (WHERE {grant}), "
            f"count(*) FILTER (WHERE {grant} AND hours_to_decision <= sla_hours) "
            f"FROM dashboards_casefact WHERE {' AND '.join(where)}", params)
        row = cursor.fetchone()
    return dict(zip(("defenders", "women", "decided", "dec_p50", "dec_p90", "within_sla"), row, strict=True))


def _views() -> list[Filters]:
    now = timezone.now().date()
    everything = Filters(start=datetime.date(now.year - 9, 1, 1), end=datetime.date(now.year + 1, 1, 1))
    last = now.year - 1
    year = Filters(start=datetime.date(last, 1, 1), end=datetime.date(last + 1, 1, 1))
    return [
        everything, year,
        Filters(start=datetime.date(last, 4, 1), end=datetime.date(last, 7, 1)),
        Filters(start=datetime.date(last - 3, 5, 1), end=datetime.date(last, 3, 1)),
        Filters(start=everything.start, end=everything.end, region="africa"),
        Filters(start=everything.start, end=everything.end, country="KE"),
        Filters(start=everything.start, end=everything.end, region="africa", country="KE"),
        Filters(start=everything.start, end=everything.end, need="legal"),
        Filters(start=everything.start, end=everything.end, profile="journalist"),
        Filters(start=everything.start, end=everything.end, profile="women_hrd"),
        Filters(start=year.start, end=year.end, region="americas", need="medical", profile="lgbti"),
    ]


def _figures(filters: Filters) -> dict:
    got = _people_and_hours(filters)
    return {key: got[key] for key in ("defenders", "women", "decided", "dec_p50", "dec_p90", "within_sla")}


def test_the_rollups_give_what_an_aggregate_over_the_facts_gives(bench_data):
    for filters in _views():
        assert _figures(filters) == _direct(filters), filters


def test_refreshing_cases_one_by_one_gives_what_a_rebuild_gives(bench_data):
    # Move some decisions to other months, one defender's cases among them, and refresh each.
    moved = list(Grant.objects.filter(status="closed").order_by("pk")[:12])
    moved += list(Grant.objects.filter(defender=moved[0].defender).exclude(pk__in=[g.pk for g in moved]))
    for n, grant in enumerate(moved):
        # Whole hours after submission, as generated: the buckets are exact to the hour.
        Grant.objects.filter(pk=grant.pk).update(
            decided_at=F("submitted_at") + datetime.timedelta(hours=24 * 40 * (n % 3) + n),
            status="rejected" if n % 5 == 4 else grant.status)
        rollup_refresh_case(kind="grant", case_id=grant.pk)
    kept = {view: _figures(view) for view in _views()}
    for view, figures in kept.items():
        assert figures == _direct(view), view

    def rows():
        return (sorted(DefenderRollup.objects.exclude(defenders=0).values_list(
                    "scope", "region", "country", "need", "profile", "women", "month", "since", "defenders")),
                sorted(HoursRollup.objects.values_list("scope", "region", "country", "need", "profile", "month",
                                                       "measure", "hours", "grants")))

    incremental = rows()
    rollups_rebuild()
    assert rows() == incremental
