"""A donor who reads the dashboard and its exports cannot work a hidden figure back out: not by
subtracting the visible cells from a total, nor from a pair of views (two filters, two periods, a
reload before and after one decision).

The attacker here reasons with everything shown at once: each "<5" that a count is hidden (under 5, or any count hidden to protect one),
each rounded count that it lies within 2 of the figure, an exact one that it is that number; a
hidden value is recovered when exactly one value of it fits every view read (pages and exports)."""

from __future__ import annotations

import csv
import datetime
import io
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from grants.models import Grant
from protect.dashboards import selectors
from protect.dashboards.services import rollups_rebuild
from tests.dashboards.test_donor_dashboard import _funded_grant
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

REGIONS = {"africa": "Africa", "americas": "Americas", "asia_pacific": "Asia and the Pacific",
           "europe_central_asia": "Europe and Central Asia", "mena": "Middle East and North Africa"}
GRANTS = "Emergency grants to defenders"


def _grants_in(regions: dict[str, int], caseworker, reviewer, *, decided: datetime.datetime | None = None) -> None:
    """Funded grants of EUR 2,000 each, so many per region (only the statistics column matters)."""
    n = 0
    for region, how_many in regions.items():
        made = [_funded_grant(caseworker, reviewer, n + i).pk for i in range(how_many)]
        Grant.objects.filter(pk__in=made).update(region=region, **({"decided_at": decided} if decided else {}))
        n += how_many
    rollups_rebuild()


def _export(client, query: str) -> dict[tuple[str, str], tuple[str, str]]:
    response = client.get(f"/dashboard/export.csv?{query}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    page = client.get(f"/dashboard/?{query}").content.decode()
    for _section, _label, count, _people, eur in rows:  # the page shows what the export holds
        for value in (count, eur):
            if value and value.isdigit():
                assert value in page
    return {(section, label): (count, eur) for section, label, count, _people, eur in rows}


def _interval(text: str | None, exact: bool) -> range:
    if text is None:
        return range(0, 10**6)  # not shown in this view at all
    if text == "<5":
        # Under 5, or a complement hidden to protect one that is: the attacker cannot tell which.
        return range(0, 60)
    value, half = int(text), selectors.COUNT_ROUNDED_TO // 2  # the page states its rounding
    return range(value, value + 1) if exact else range(max(value - half, 0), value + half + 1)


def _candidates(client, queries: list[str], *, exact_totals: bool = False) -> dict[str, set[int]]:
    """Every value of each region's grant count consistent with all the views read."""
    views = [(q, _export(client, q)) for q in queries]
    ranges: dict[str, range] = {}
    totals: list[tuple[set[str], range]] = []
    for query, view in views:
        params = dict(p.split("=") for p in query.split("&") if p)
        if ("notice", "Too few defenders in this view to show any figure") in view:
            continue
        total = view.get(("headline", GRANTS), (None, None))[0]
        scope = {params["region"]} if "region" in params else set(REGIONS)
        whole_year = set(params) == {"year"}
        totals.append((scope, _interval(total, exact_totals and whole_year)))
        for code, label in REGIONS.items():
            if "region" in params:
                continue  # the other regions are filtered out of this view, not empty
            cell = view.get(("by_region", label), (None, None))[0]
            shown = _interval(cell, False)
            known = ranges.get(code, range(0, 10**6))
            ranges[code] = range(max(known.start, shown.start), min(known.stop, shown.stop))
    possible: dict[str, set[int]] = {code: set() for code in REGIONS}
    for combo in itertools.product(*(ranges[code] for code in REGIONS)):
        values = dict(zip(REGIONS, combo, strict=True))
        if all(sum(values[c] for c in scope) in allowed for scope, allowed in totals):
            for code, value in values.items():
                possible[code].add(value)
    return possible


def _views(year: int, month: int) -> list[str]:
    """Views of the same cases: the year, the quarter holding them and a custom period around
    them (the attacker is granted knowing that the rest of the year is empty), and each region."""
    quarter = (month - 1) // 3 + 1
    return [f"year={year}", f"year={year}&quarter={quarter}", f"start={year}-01&end={year}-{month:02d}",
            f"start={year}-{month:02d}&end={year}-12"] + [f"year={year}&region={r}" for r in REGIONS]


def test_no_view_or_pair_of_views_pins_a_hidden_region_down(client, donor, team_africa, caseworker, reviewer):
    truth = {"africa": 5, "americas": 5, "asia_pacific": 5, "europe_central_asia": 5, "mena": 2}
    _grants_in(truth, caseworker, reviewer)
    login_verified(client, donor)
    now = timezone.now()
    possible = _candidates(client, _views(now.year, now.month))
    assert truth["mena"] in possible["mena"]  # the attack is sound: the truth is always among them
    assert len(possible["mena"]) > 1, possible


def test_the_exact_figures_of_a_past_year_give_no_hidden_region_away(client, donor, team_africa, caseworker,
                                                                      reviewer):
    # Exact headline counts (the published annual figures) beside rounded breakdowns and filters.
    last_year = timezone.now().year - 1
    truth = {"africa": 5, "americas": 10, "asia_pacific": 5, "europe_central_asia": 5, "mena": 3}
    _grants_in(truth, caseworker, reviewer, decided=datetime.datetime(last_year, 6, 1, tzinfo=datetime.UTC))
    login_verified(client, donor)
    possible = _candidates(client, _views(last_year, 6), exact_totals=True)
    assert truth["mena"] in possible["mena"]
    assert len(possible["mena"]) > 1, possible


def test_a_lone_small_region_is_protected_by_its_complement(team_africa, caseworker, reviewer):
    from protect.dashboards.selectors import donor_dashboard

    _grants_in({"africa": 5, "americas": 5, "asia_pacific": 5, "europe_central_asia": 6, "mena": 2},
               caseworker, reviewer)
    board = donor_dashboard()
    hidden = [cell.label for cell in board.by_region if cell.suppressed]
    # The smallest visible region goes with the lone hidden one, so the table alone gives nothing.
    assert hidden == ["Africa", "Middle East and North Africa"]


def test_reloading_before_and_after_one_decision_does_not_give_its_amount(client, donor, team_africa, caseworker,
                                                                         reviewer):
    _grants_in({"africa": 6}, caseworker, reviewer)
    login_verified(client, donor)

    def after_one_more(amount_eur_minor: int) -> dict:
        with transaction.atomic():
            _funded_grant(caseworker, reviewer, 99, amount_minor=amount_eur_minor)
            rollups_rebuild()
            page = _export(client, "")
            transaction.set_rollback(True)
        return page

    before = _export(client, "")
    after = after_one_more(234_567)  # EUR 2,345.67
    grants_before, grants_after = before[("headline", GRANTS)], after[("headline", GRANTS)]
    assert int(grants_after[1]) - int(grants_before[1]) not in {2345, 2346}
    # Stronger: other amounts give the very same export, so it cannot tell them apart.
    assert after_one_more(210_000) == after_one_more(240_000) == after


def test_amounts_are_rounded_to_a_thousand(team_africa, caseworker, reviewer):
    from protect.dashboards.selectors import donor_dashboard

    _grants_in({"africa": 6}, caseworker, reviewer)
    Grant.objects.filter(region="africa").update(approved_amount_eur_minor=123_456)  # 6 x EUR 1,234.56
    rollups_rebuild()
    board = donor_dashboard()
    africa = next(cell for cell in board.by_region if cell.label == "Africa")
    assert (africa.count, africa.eur) == (5, 7000)  # EUR 7,407.36; 6 grants rounded to 5
    assert (board.grants.count, board.grants.eur) == (5, 7000)
