"""A donor who reads the dashboard cannot work a hidden figure back out: not by subtracting the
visible cells from the total, nor by reloading the page before and after one decision."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from grants.models import Grant
from protect.dashboards.selectors import donor_dashboard
from tests.dashboards.test_donor_dashboard import _funded_grant
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

HIDDEN = "&lt;5"


def _number(text: str) -> int | None:
    return None if HIDDEN in text else int(text)


def _read(html: str) -> dict:
    """What a donor sees: the grants total (count, EUR) and the by-region table."""
    total = re.search(r"Grants funded</th><td>(.*?)</td>", html).group(1)
    match = re.fullmatch(r"(\d+) \(EUR (\d+)\)", total)
    table = html[html.index("By region"):]
    table = table[: table.index("</table>")]
    regions = [(label, _number(count), int(eur) if eur else None)
               for label, count, eur in re.findall(r"<tr><td>([^<]+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", table)]
    assert len(regions) == 5
    return {"count": int(match.group(1)) if match else None, "eur": int(match.group(2)) if match else None,
            "regions": regions}


def _subtract(page: dict, *, known_empty: set[str] = frozenset()) -> dict[str, tuple[int, int]]:
    """The attack: total minus the visible regions. Gives a hidden region's count and amount back
    when it is the only hidden one that may be non-empty (a donor may know where no grant went)."""
    if page["count"] is None:
        return {}
    hidden = [label for label, count, _eur in page["regions"] if count is None and label not in known_empty]
    if len(hidden) != 1:
        return {}
    count = page["count"] - sum(c for _label, c, _eur in page["regions"] if c is not None)
    eur = page["eur"] - sum(e for _label, c, e in page["regions"] if c is not None)
    return {hidden[0]: (count, eur)}


def _grants_in(regions: dict[str, int], caseworker, reviewer) -> None:
    """Funded grants of EUR 2,000 each, so many per region (made in Africa, then moved: only the
    statistics column `region` matters here)."""
    n = 0
    for region, how_many in regions.items():
        made = [_funded_grant(caseworker, reviewer, n + i).pk for i in range(how_many)]
        Grant.objects.filter(pk__in=made).update(region=region)
        n += how_many


def _page(client) -> dict:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return _read(response.content.decode())


def test_the_only_hidden_region_cannot_be_had_by_subtraction_from_the_total(client, donor, team_africa, caseworker,
                                                                            reviewer):
    _grants_in({"africa": 5, "americas": 5, "asia_pacific": 5, "europe_central_asia": 6, "mena": 2},
               caseworker, reviewer)
    login_verified(client, donor)
    page = _page(client)
    assert page["count"] == 23  # the total still stands
    assert _subtract(page) == {}
    # The complement hidden is the smallest visible region, not an arbitrary one.
    assert [label for label, count, _eur in page["regions"] if count is None] == ["Africa", "Middle East and North Africa"]


def test_a_donor_who_knows_the_empty_regions_cannot_subtract_either(client, donor, team_africa, caseworker, reviewer):
    _grants_in({"africa": 6, "mena": 2}, caseworker, reviewer)
    login_verified(client, donor)
    page = _page(client)
    empty = {"Americas", "Asia and the Pacific", "Europe and Central Asia"}
    assert _subtract(page, known_empty=empty) == {}


def test_when_no_cell_can_hide_a_lone_small_one_the_total_goes(team_africa, caseworker, reviewer):
    _grants_in({"mena": 3}, caseworker, reviewer)
    dashboard = donor_dashboard()
    assert dashboard.grants_funded.suppressed


def test_reloading_before_and_after_one_decision_does_not_give_its_amount(client, donor, team_africa, caseworker,
                                                                         reviewer):
    _grants_in({"africa": 6}, caseworker, reviewer)
    login_verified(client, donor)
    before = _page(client)

    def after_one_more(amount_eur_minor: int) -> dict:
        with transaction.atomic():
            _funded_grant(caseworker, reviewer, 99, amount_minor=amount_eur_minor)
            page = _page(client)
            transaction.set_rollback(True)
        return page

    after = after_one_more(234_567)  # EUR 2,345.67
    recovered = {after["eur"] - before["eur"], after["regions"][0][2] - before["regions"][0][2]}
    assert not recovered & {2345, 2346}
    # Stronger: another amount gives the very same page, so the page cannot tell them apart.
    assert after_one_more(210_000) == after_one_more(240_000) == after


def test_amounts_are_rounded_to_a_thousand_and_counts_stay_exact(team_africa, caseworker, reviewer):
    _grants_in({"africa": 6}, caseworker, reviewer)
    Grant.objects.filter(region="africa").update(approved_amount_eur_minor=123_456)  # 6 x EUR 1,234.56
    dashboard = donor_dashboard()
    africa = next(cell for cell in dashboard.by_region if cell.label == "Africa")
    assert (africa.count, africa.eur) == (6, 7000)  # EUR 7,407.36
    assert (dashboard.grants_funded.count, dashboard.grants_funded.eur) == (6, 7000)
