"""Donor aggregates read from the rollups: counts and amounts only, never a person.

Protection, in three layers, so that neither one page nor a pair of pages gives a person away:
- Primary: a cell counting fewer than SUPPRESS_BELOW shows "<5". Secondary: when a table's only
  non-empty hidden cell could be had by subtracting the visible ones from the total, the next
  smallest cell is hidden too, or the total when none can be.
- Rounding: every other count is rounded to COUNT_ROUNDED_TO, amounts to EUR_ROUNDED_TO. Two views
  that differ by one case (two filters, two periods, a reload before and after a decision) differ
  by a rounded amount that several true values give, so no subtraction pins one down. Exact figures
  are given only for the headline of a whole past year with no filter: the figures the mechanism
  publishes in its annual report, far above any threshold, and closed (no decision changes them
  between two reloads).
- A view whose defenders number fewer than SUPPRESS_BELOW gives no number at all.

Reads cost the same few queries whatever the number of cases, each over rows per month (and
dimension), never over the cases or their facts: the month rollups for counts and amounts, the
defender rollup for distinct defenders, hour buckets for the response-time percentiles."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import NeedKind
from protect.core.errors import ProtectError
from protect.defenders.models import Profile, Region
from protect.defenders.regions import REGION_OF_COUNTRY

from .models import KINDS, WOMEN_PROFILE, DefenderRollup, HoursRollup, MonthRollup

SUPPRESS_BELOW = 5
COUNT_ROUNDED_TO = 5
EUR_ROUNDED_TO = 1000


class DashboardError(ProtectError):
    """A filter that cannot be read."""


# --- filters -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    start: datetime.date  # first day of the first month
    end: datetime.date  # first day of the month after the last
    region: str = ""
    country: str = ""
    need: str = ""
    profile: str = ""

    @property
    def narrowed(self) -> bool:
        return bool(self.region or self.country or self.need or self.profile)

    @property
    def whole_past_year(self) -> int | None:
        """The year, when the period is exactly one calendar year that is over."""
        if (self.start.month == 1 and self.end == datetime.date(self.start.year + 1, 1, 1)
                and self.end <= timezone.now().date()):
            return self.start.year
        return None

    def months(self) -> list[datetime.date]:
        months, month = [], self.start
        while month < self.end:
            months.append(month)
            month = _next_month(month)
        return months

    def as_query(self) -> dict[str, str]:
        return {"start": self.start.strftime("%Y-%m"), "end": _previous_month(self.end).strftime("%Y-%m"),
                "region": self.region, "country": self.country, "need": self.need, "profile": self.profile}


def _next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _previous_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _month(text: str, what: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date().replace(day=1)
    except ValueError:
        raise DashboardError(f"The {what} month must read like 2017-03.", field=what) from None


def year_filters(year: int) -> Filters:
    return Filters(start=datetime.date(year, 1, 1), end=datetime.date(year + 1, 1, 1))


def parse_filters(params: Any) -> Filters:
    """Filters from a query string: `year`, or `year` and `quarter` (1-4), or `start` and `end`
    months (YYYY-MM, both included); then optional region, country, need, profile. A bad value
    is refused with a message, never guessed."""
    today = timezone.now().date()
    year_text, quarter_text = params.get("year", ""), params.get("quarter", "")
    if params.get("start") or params.get("end"):
        start = _month(params.get("start", ""), "start")
        end = _next_month(_month(params.get("end", ""), "end"))
        if end <= start:
            raise DashboardError("The period must end after it starts.", field="end")
        if (end.year - start.year) * 12 + end.month - start.month > 240:
            raise DashboardError("The period may span at most 20 years.", field="end")
    else:
        try:
            year = int(year_text) if year_text else today.year
        except ValueError:
            raise DashboardError("The year must be a number like 2017.", field="year") from None
        if not 2000 <= year <= today.year + 1:
            raise DashboardError("Choose a year between 2000 and next year.", field="year")
        if quarter_text:
            if quarter_text not in {"1", "2", "3", "4"}:
                raise DashboardError("The quarter must be 1, 2, 3 or 4.", field="quarter")
            first = (int(quarter_text) - 1) * 3 + 1
            start = datetime.date(year, first, 1)
            end = datetime.date(year + (first == 10), first % 12 + 3 if first != 10 else 1, 1)
        else:
            start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    region, country = params.get("region", ""), params.get("country", "").upper()
    need, profile = params.get("need", ""), params.get("profile", "")
    if region and region not in Region.values:
        raise DashboardError("Choose a region from the list.", field="region")
    if country and (len(country) != 2 or not country.isalpha()):
        raise DashboardError("The country is its two-letter code, e.g. KE.", field="country")
    if need and need not in NeedKind.values:
        raise DashboardError("Choose a kind of need from the list.", field="need")
    if profile and profile not in Profile.values:
        raise DashboardError("Choose a profile from the list.", field="profile")
    return Filters(start=start, end=end, region=region, country=country, need=need, profile=profile)


# --- protected cells -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed
    eur: int | None = None  # rounded euros; None when suppressed or not applicable
    people: int | None = None
    code: str = ""

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class _Figure:
    """A cell before protection: exact figures, never shown as such."""

    label: str
    count: int
    eur_minor: int | None = None
    people: int | None = None
    code: str = ""


def _round(value: int, base: int) -> int:
    # Half up, in integers: Python's round() is half-even, a rule a reader could exploit.
    return (value + base // 2) // base * base


def _shown(figure: _Figure, *, hide: bool = False, exact: bool = False) -> Cell:
    if hide or figure.count < SUPPRESS_BELOW:
        return Cell(figure.label, None, code=figure.code)
    count_base = 1 if exact else COUNT_ROUNDED_TO
    eur = None if figure.eur_minor is None else _round(figure.eur_minor, EUR_ROUNDED_TO * 100) // 100
    people = None if figure.people is None else _round(figure.people, count_base)
    return Cell(figure.label, _round(figure.count, count_base), eur, people, figure.code)


def _protected_row(figures: list[_Figure]) -> tuple[list[Cell], bool]:
    """The cells of one table, and whether its total must be hidden too (see the module)."""
    hidden = {i for i, f in enumerate(figures) if f.count < SUPPRESS_BELOW}
    hide_total = False
    if sum(1 for i in hidden if figures[i].count > 0) == 1:
        visible = sorted((f.count, i) for i, f in enumerate(figures) if i not in hidden)
        if visible:
            hidden.add(visible[0][1])
        else:
            hide_total = True
    return [_shown(f, hide=i in hidden) for i, f in enumerate(figures)], hide_total


# --- the dashboard -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    label: str
    median_hours: float | None
    p90_hours: float | None
    within_sla_percent: int | None


@dataclass
class Dashboard:
    filters: Filters
    too_narrow: bool = False
    defenders_supported: Cell | None = None
    grants: Cell | None = None  # emergency grants to defenders
    organisations: Cell | None = None  # grants to organisations
    relocations: Cell | None = None  # count, people, EUR
    alerts_published: Cell | None = None
    alert_updates: Cell | None = None
    alert_outcomes: Cell | None = None
    by_need: list[Cell] = field(default_factory=list)
    by_region: list[Cell] = field(default_factory=list)
    by_profile: list[Cell] = field(default_factory=list)
    trend: list[Cell] = field(default_factory=list)  # emergency grants per month
    timings: list[Timing] = field(default_factory=list)
    women_percent: int | None = None

    @property
    def headline(self) -> list[Cell]:
        return [c for c in (self.defenders_supported, self.grants, self.organisations, self.relocations,
                            self.alerts_published, self.alert_updates, self.alert_outcomes) if c is not None]

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """(section, label, count, people, EUR) as shown: the exports write exactly these."""
        def text(value: int | None, cell: Cell) -> str:
            if cell.suppressed:
                return f"<{SUPPRESS_BELOW}"
            return "" if value is None else str(value)

        out: list[tuple[str, str, str, str, str]] = []
        if self.too_narrow:
            return [("notice", str(_("Too few defenders in this view to show any figure")), "", "", "")]
        for section, cells in (
            ("headline", self.headline),
            ("by_need", self.by_need), ("by_region", self.by_region), ("by_profile", self.by_profile),
            ("by_month", self.trend),
        ):
            for cell in cells:
                out.append((section, str(cell.label), text(cell.count, cell),
                            text(cell.people, cell) if cell.people is not None or cell.suppressed else "",
                            text(cell.eur, cell) if cell.eur is not None or cell.suppressed else ""))
        for timing in self.timings:
            for name, value in (("median_hours", timing.median_hours), ("p90_hours", timing.p90_hours),
                                ("within_sla_percent", timing.within_sla_percent)):
                out.append(("response_times", f"{timing.label}: {name}",
                            f"<{SUPPRESS_BELOW}" if value is None else str(value), "", ""))
        out.append(("share", str(_("Women and gender-diverse defenders (%)")),
                    f"<{SUPPRESS_BELOW}" if self.women_percent is None else str(self.women_percent), "", ""))
        return out


def _rollups(filters: Filters) -> QuerySet[MonthRollup]:
    # Every kind named, so each sum reads the rollup's indexes from their first column.
    rows = MonthRollup.objects.filter(kind__in=KINDS, month__gte=filters.start, month__lt=filters.end)
    if filters.region:
        rows = rows.filter(region=filters.region)
    if filters.country:
        rows = rows.filter(country=filters.country)
    return rows


def _sums(rows: QuerySet[MonthRollup], *by: str) -> dict[Any, dict[str, int]]:
    out: dict[Any, dict[str, int]] = {}
    for row in rows.values(*by).annotate(n=Sum("cases"), eur=Sum("eur_minor"), people_=Sum("people"),
                                         updates_=Sum("updates"), outcomes_=Sum("outcomes")):
        key = tuple(row[b] for b in by) if len(by) > 1 else row[by[0]]
        out[key] = {"n": row["n"] or 0, "eur": row["eur"] or 0, "people": row["people_"] or 0,
                    "updates": row["updates_"] or 0, "outcomes": row["outcomes_"] or 0}
    return out


def _scope(filters: Filters) -> str:
    """The rows of a non-additive rollup that answer this place filter (see models.Scope). A
    country's region is the one it belongs to: every case takes both from its defender."""
    if filters.country:
        return "scope = 'country' AND region = %(scope_region)s AND country = %(country)s"
    if filters.region:
        return "scope = 'region' AND region = %(region)s AND country = ''"
    return "scope = 'all' AND region = '' AND country = ''"


def _nth(hours: list[tuple[int, int]], k: int) -> int:
    """The k-th smallest (from 0) of the values given as (whole hour, how many), sorted by hour."""
    seen = 0
    for hour, count in hours:
        seen += count
        if seen > k:
            return hour
    raise IndexError(k)


def _percentile(hours: list[tuple[int, int]], n: int, fraction: float) -> float:
    """percentile_cont of `n` values given as (whole hour, how many), sorted by hour."""
    position = fraction * (n - 1)
    below = int(position)
    low = _nth(hours, below)
    return float(low) if position == below else low + (position - below) * (_nth(hours, below + 1) - low)


def _people_and_hours(filters: Filters) -> dict[str, Any]:
    """Distinct defenders, the women's share and the response times, from their own rollups:
    two queries over rows per month, never over the facts of the cases."""
    params: dict[str, Any] = {
        "start": filters.start, "end": filters.end, "region": filters.region, "country": filters.country,
        "scope_region": filters.region or REGION_OF_COUNTRY.get(filters.country, ""), "need": filters.need,
        "profile": filters.profile, "women": WOMEN_PROFILE}
    scope = _scope(filters)
    # Women among this view's defenders: the women's profile rows, or their own chain among the
    # defenders of another profile (models.DefenderRollup).
    other_profile = filters.profile not in {"", WOMEN_PROFILE}
    params["women_profile"] = filters.profile if other_profile else WOMEN_PROFILE
    params["women_rows"] = other_profile
    with connection.cursor() as cursor:
        # One index range each: every column of the rollup's key fixed but the month and since.
        defenders_in = (f"SELECT coalesce(sum(defenders), 0) FROM {DefenderRollup._meta.db_table} WHERE {scope} "
                        f"AND need = %(need)s AND profile = %({{profile}})s AND women = %({{women}})s "
                        f"AND month >= %(start)s AND month < %(end)s AND since < %(start)s")
        cursor.execute(f"SELECT ({defenders_in.format(profile='profile', women='everyone')}), "
                       f"({defenders_in.format(profile='women_profile', women='women_rows')})",
                       params | {"everyone": False})
        defenders, women_count = cursor.fetchone()
        cursor.execute(
            f"SELECT measure, hours, grants FROM {HoursRollup._meta.db_table} "
            f"WHERE {scope} AND need = %(need)s AND profile = %(profile)s AND month >= %(start)s "
            f"AND month < %(end)s", params)
        buckets: dict[str, Counter[int]] = {"decision": Counter(), "payment": Counter(), "within_sla": Counter()}
        for measure, row_hours, row_grants in cursor.fetchall():
            counter = buckets[measure]
            for hour, count in zip(row_hours, row_grants, strict=True):
                counter[hour] += count
    hours = {measure: sorted(counter.items()) for measure, counter in buckets.items()}
    summary: dict[str, Any] = {"defenders": defenders, "women": women_count,
                               "within_sla": sum(count for _hour, count in hours["within_sla"])}
    for measure, prefix, count_key in (("decision", "dec", "decided"), ("payment", "pay", "paid")):
        n = sum(count for _hour, count in hours[measure])
        summary[count_key] = n
        summary[f"{prefix}_p50"] = _percentile(hours[measure], n, 0.5) if n else None
        summary[f"{prefix}_p90"] = _percentile(hours[measure], n, 0.9) if n else None
    return summary


def _hours(value: float | None, n: int) -> float | None:
    # Rounded to whole hours: a median of few decisions is the decision of one of them.
    return None if value is None or n < SUPPRESS_BELOW else float(round(value))


def donor_dashboard(filters: Filters | None = None) -> Dashboard:
    filters = filters or year_filters(timezone.now().year)
    facts = _people_and_hours(filters)
    board = Dashboard(filters=filters)
    if facts["defenders"] < SUPPRESS_BELOW:
        # Fewer people than the threshold in the whole view: no figure, not even "<5" cells,
        # which would say how many of them had which need.
        board.too_narrow = filters.narrowed or facts["defenders"] > 0
        if board.too_narrow:
            return board
    need, profile = filters.need, filters.profile
    rows = _rollups(filters)
    base = rows.filter(need=need, profile=profile)
    heads = _sums(base, "kind", "organisation")
    exact = filters.whole_past_year is not None and not filters.narrowed

    def head(key: tuple[str, bool], label: str, *, eur: bool = True, people: bool = False) -> _Figure:
        values = heads.get(key, {"n": 0, "eur": 0, "people": 0})
        return _Figure(label, values["n"], values["eur"] if eur else None, values["people"] if people else None)

    grants = _sums(base.filter(kind="grant", organisation=False), "region")
    board.by_region, hide_by_region = _protected_row(
        [_Figure(str(label), grants.get(code, {"n": 0})["n"], grants.get(code, {"eur": 0})["eur"], code=code)
         for code, label in Region.choices])
    needs = _sums(rows.filter(kind="grant", organisation=False, profile=profile).exclude(need=""), "need")
    board.by_need, hide_by_need = _protected_row(
        [_Figure(str(label), needs.get(code, {"n": 0})["n"], needs.get(code, {"eur": 0})["eur"], code=code)
         for code, label in NeedKind.choices if not need or code == need])
    profiles = _sums(rows.filter(kind="grant", organisation=False, need=need).exclude(profile=""), "profile")
    board.by_profile, _hide = _protected_row(
        [_Figure(str(label), profiles.get(code, {"n": 0})["n"], code=code)
         for code, label in Profile.choices if not profile or code == profile])
    months = _sums(base.filter(kind="grant", organisation=False), "month")
    board.trend, hide_by_month = _protected_row(
        [_Figure(m.strftime("%Y-%m"), months.get(m, {"n": 0})["n"], code=m.isoformat()) for m in filters.months()])
    hide_grants = hide_by_region or hide_by_need or hide_by_month
    board.defenders_supported = _shown(_Figure(str(_("Defenders supported")), facts["defenders"]), exact=exact)
    board.grants = _shown(head(("grant", False), str(_("Emergency grants to defenders"))),
                          hide=hide_grants, exact=exact)
    board.organisations = _shown(head(("grant", True), str(_("Grants to organisations"))), exact=exact)
    relocations = heads.get(("relocation", False), {"n": 0, "eur": 0, "people": 0})
    org_relocations = heads.get(("relocation", True), {"n": 0, "eur": 0, "people": 0})
    board.relocations = _shown(_Figure(str(_("Temporary relocations")), relocations["n"] + org_relocations["n"],
                                       relocations["eur"] + org_relocations["eur"],
                                       relocations["people"] + org_relocations["people"]), exact=exact)
    alerts = {k: heads.get(("alert", False), {}).get(k, 0) + heads.get(("alert", True), {}).get(k, 0)
              for k in ("n", "updates", "outcomes")}
    board.alerts_published = _shown(_Figure(str(_("Urgent alerts published")), alerts["n"]), exact=exact)
    board.alert_updates = _shown(_Figure(str(_("Alert updates sent")), alerts["updates"]), exact=exact)
    board.alert_outcomes = _shown(_Figure(str(_("Alerts closed with an outcome")), alerts["outcomes"]), exact=exact)
    decided, paid = facts["decided"], facts["paid"]
    within = None if decided < SUPPRESS_BELOW else _round(100 * facts["within_sla"] // max(decided, 1), 5)
    board.timings = [
        Timing(str(_("Submission to decision")), _hours(facts["dec_p50"], decided), _hours(facts["dec_p90"], decided),
               within),
        Timing(str(_("Submission to first payment")), _hours(facts["pay_p50"], paid), _hours(facts["pay_p90"], paid),
               None),
    ]
    women, everyone = facts["women"], facts["defenders"]
    if women >= SUPPRESS_BELOW and everyone - women >= SUPPRESS_BELOW:
        board.women_percent = _round(100 * women // everyone, 5)
    return board


def dashboard_as_dict(dashboard: Dashboard) -> dict[str, Any]:
    """The figures as plain data (tests compare it before and after an erasure)."""
    return {"rows": dashboard.rows()}
