"""Donor aggregates: counts and amounts only, never a person; any cell under 5 is suppressed.

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


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed (fewer than SUPPRESS_BELOW)
    eur: int | None = None  # whole euros, None when suppressed or not applicable

    @property
    def suppressed(self) -> bool:
        return self.count is None


def _cell(label: str, count: int, eur_minor: int | None = None) -> Cell:
    if count < SUPPRESS_BELOW:
        return Cell(label, None, None)
    return Cell(label, count, None if eur_minor is None else round(eur_minor / 100))


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
    by_region = [_cell(str(label), *regions.get(code, (0, 0))) for code, label in Region.choices]
    need_counts: dict[str, int] = {}
    for needs in funded.values_list("needs", flat=True).iterator(chunk_size=2000):
        for need in needs:
            need_counts[need] = need_counts.get(need, 0) + 1
    by_need = [_cell(str(label), need_counts.get(code, 0)) for code, label in NeedKind.choices]
    profile_counts = dict(
        DefenderProfile.objects.filter(defender__grants__status__in=funded_statuses)
        .values("profile").annotate(n=Count("defender", distinct=True)).values_list("profile", "n")
    )
    by_profile = [_cell(str(label), profile_counts.get(code, 0)) for code, label in Profile.choices]
    hours = [
        (decided - submitted).total_seconds() / 3600
        for submitted, decided in Grant.objects.filter(decided_at__isnull=False).values_list("submitted_at",
                                                                                              "decided_at")
        if decided is not None
    ]
    return DonorDashboard(
        defenders_supported=_cell("Defenders supported", totals["defenders"] or 0),
        grants_funded=_cell("Grants funded", totals["n"] or 0, totals["eur"] or 0),
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
