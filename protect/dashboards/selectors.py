"""Donor aggregates: counts and amounts only, never a person; any cell under 5 is suppressed.

Suppressing a small cell is not enough when the page also gives what it adds up to: the total minus
the visible cells would give it back. So a table whose only non-empty hidden cell would be found by
subtraction hides its next smallest cell too (secondary suppression), and when no cell can serve,
the total goes instead. Amounts are rounded to EUR 1,000, cell by cell and in the total, so neither
subtraction nor reloading the page before and after one decision gives a grant's amount; counts
above the threshold stay exact.

Figures come from non-identifying columns that survive crypto-shredding (region, country, needs,
profiles, amounts, dates), so erasing a defender changes no count."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum

from grants.models import Grant, NeedKind
from grants.workflow import GRANT_WORKFLOW
from protect.defenders.models import DefenderProfile, Profile, Region

SUPPRESS_BELOW = 5
EUR_ROUNDED_TO = 1000


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed (fewer than SUPPRESS_BELOW, or hidden to protect one that is)
    eur: int | None = None  # euros rounded to EUR_ROUNDED_TO, None when suppressed or not applicable

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class _Figure:
    """A cell before protection: the exact count and amount (minor units), never shown as such."""

    label: str
    count: int
    eur_minor: int | None = None


def _rounded_eur(eur_minor: int) -> int:
    # Half up, in integers: float rounding (and Python's round-half-even) would make the rounding
    # depend on the value in ways a reader could exploit at the boundaries.
    return (eur_minor + EUR_ROUNDED_TO * 100 // 2) // (EUR_ROUNDED_TO * 100) * EUR_ROUNDED_TO


def _shown(figure: _Figure, *, hide: bool = False) -> Cell:
    if hide or figure.count < SUPPRESS_BELOW:
        return Cell(figure.label, None, None)
    return Cell(figure.label, figure.count, None if figure.eur_minor is None else _rounded_eur(figure.eur_minor))


def _protected_row(figures: list[_Figure]) -> tuple[list[Cell], bool]:
    """The cells of one table, and whether its total must be hidden too.

    Primary: any cell under SUPPRESS_BELOW. Secondary: if exactly one hidden cell is not empty,
    the total minus the visible cells would give it (a reader may well know which cells are
    empty), so the smallest visible cell is hidden with it. If there is none, the total goes."""
    hidden = {i for i, f in enumerate(figures) if f.count < SUPPRESS_BELOW}
    hide_total = False
    if sum(1 for i in hidden if figures[i].count > 0) == 1:
        visible = sorted((f.count, i) for i, f in enumerate(figures) if i not in hidden)
        if visible:
            hidden.add(visible[0][1])
        else:
            hide_total = True
    return [_shown(f, hide=i in hidden) for i, f in enumerate(figures)], hide_total


@dataclass(frozen=True)
class DonorDashboard:
    defenders_supported: Cell
    grants_funded: Cell
    by_region: list[Cell]
    by_need: list[Cell]
    by_profile: list[Cell]
    median_hours_to_decision: float | None
    decisions_timed: int


def donor_dashboard() -> DonorDashboard:
    funded_statuses = GRANT_WORKFLOW.group("funded")
    funded = Grant.objects.filter(status__in=funded_statuses)
    totals = funded.aggregate(n=Count("pk"), eur=Sum("approved_amount_eur_minor"),
                              defenders=Count("defender", distinct=True))
    regions: dict[str, tuple[int, int]] = {
        row["region"]: (row["n"], row["eur"] or 0)
        for row in funded.values("region").annotate(n=Count("pk"), eur=Sum("approved_amount_eur_minor"))
    }
    by_region, hide_grants_total = _protected_row(
        [_Figure(str(label), *regions.get(code, (0, 0))) for code, label in Region.choices]
    )
    need_counts: dict[str, int] = {}
    for needs in funded.values_list("needs", flat=True).iterator(chunk_size=2000):
        for need in needs:
            need_counts[need] = need_counts.get(need, 0) + 1
    # A grant may meet several needs and a defender hold several profiles, so these tables do not
    # add up to a total; they are protected the same way in case most rows hold one value.
    by_need, hide_for_needs = _protected_row(
        [_Figure(str(label), need_counts.get(code, 0)) for code, label in NeedKind.choices]
    )
    profile_counts = dict(
        DefenderProfile.objects.filter(defender__grants__status__in=funded_statuses)
        .values("profile").annotate(n=Count("defender", distinct=True)).values_list("profile", "n")
    )
    by_profile, hide_defenders_total = _protected_row(
        [_Figure(str(label), profile_counts.get(code, 0)) for code, label in Profile.choices]
    )
    hours = [
        (decided - submitted).total_seconds() / 3600
        for submitted, decided in Grant.objects.filter(decided_at__isnull=False).values_list("submitted_at",
                                                                                              "decided_at")
        if decided is not None
    ]
    return DonorDashboard(
        defenders_supported=_shown(_Figure("Defenders supported", totals["defenders"] or 0),
                                   hide=hide_defenders_total),
        grants_funded=_shown(_Figure("Grants funded", totals["n"] or 0, totals["eur"] or 0),
                             hide=hide_grants_total or hide_for_needs),
        by_region=by_region,
        by_need=by_need,
        by_profile=by_profile,
        median_hours_to_decision=round(statistics.median(hours), 1) if len(hours) >= SUPPRESS_BELOW else None,
        decisions_timed=len(hours),
    )


def dashboard_as_dict(dashboard: DonorDashboard) -> dict[str, Any]:
    """The same figures as plain data (tests compare it before and after an erasure)."""
    def cells(items: list[Cell]) -> list[tuple[str, int | None, int | None]]:
        return [(c.label, c.count, c.eur) for c in items]

    return {
        "defenders_supported": dashboard.defenders_supported.count,
        "grants_funded": (dashboard.grants_funded.count, dashboard.grants_funded.eur),
        "by_region": cells(dashboard.by_region),
        "by_need": cells(dashboard.by_need),
        "by_profile": cells(dashboard.by_profile),
        "median_hours_to_decision": dashboard.median_hours_to_decision,
    }
