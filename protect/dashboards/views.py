"""The donor dashboard, its exports and the annual report: aggregates only (see selectors)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from grants.models import NeedKind
from protect.accounts.permissions import role_required
from protect.accounts.roles import DASHBOARD_READERS
from protect.defenders.models import Profile, Region

from . import charts, exports
from .selectors import (
    COUNT_ROUNDED_TO,
    EUR_ROUNDED_TO,
    SUPPRESS_BELOW,
    Cell,
    Dashboard,
    DashboardError,
    donor_dashboard,
    parse_filters,
    year_filters,
)

NO_ROLLUPS = _lazy("The dashboard reads rollups that PostgreSQL keeps; this demo runs on SQLite and has none. "
                   "Run it with bin/serve (PostgreSQL and Redis) to see the figures.")


def _charts(board: Dashboard) -> list[tuple[str, SafeString, list[Cell]]]:
    if board.too_narrow:
        return []
    return [
        (_("Emergency grants by kind of need"), charts.bar_chart("c-need", _("Emergency grants by kind of need"),
                                                                 board.by_need), board.by_need),
        (_("Emergency grants by region"), charts.bar_chart("c-region", _("Emergency grants by region"),
                                                           board.by_region), board.by_region),
        (_("Defenders' grants by profile"), charts.bar_chart("c-profile", _("Defenders' grants by profile"),
                                                             board.by_profile), board.by_profile),
        (_("Emergency grants by month"), charts.line_chart("c-month", _("Emergency grants by month"), board.trend),
         board.trend),
    ]


def _context(request: HttpRequest) -> tuple[dict[str, object], int]:
    context: dict[str, object] = {
        "suppress_below": SUPPRESS_BELOW, "eur_rounded_to": EUR_ROUNDED_TO, "count_rounded_to": COUNT_ROUNDED_TO,
        "regions": Region.choices, "needs": NeedKind.choices, "profiles": Profile.choices, "params": request.GET,
        "years": list(range(timezone.now().year, 2016, -1)),
    }
    if connection.vendor != "postgresql":
        context["error"] = NO_ROLLUPS
        return context, 200
    try:
        filters = parse_filters(request.GET)
    except DashboardError as error:
        context["error"] = error.message
        return context, 400
    board = donor_dashboard(filters)
    context.update(d=board, charts=_charts(board), query=filters.as_query())
    return context, 200


@require_GET
@role_required(*DASHBOARD_READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    context, status = _context(request)
    return render(request, "dashboards/donor.html", context, status=status)


@require_GET
@role_required(*DASHBOARD_READERS)
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if connection.vendor != "postgresql":
        return HttpResponse(NO_ROLLUPS, status=503, content_type="text/plain; charset=utf-8")
    try:
        filters = parse_filters(request.GET)
    except DashboardError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    rows = donor_dashboard(filters).rows()
    name = f"protect-dashboard-{filters.as_query()['start']}-{filters.as_query()['end']}"
    return exports.xlsx_response(rows, name) if fmt == "xlsx" else exports.csv_response(rows, name)


@require_GET
@role_required(*DASHBOARD_READERS)
def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= timezone.now().year:
        return render(request, "dashboards/report.html", {"error": _("No report for that year."), "year": year},
                      status=404)
    if connection.vendor != "postgresql":
        return render(request, "dashboards/report.html", {"error": NO_ROLLUPS, "year": year})
    board = donor_dashboard(year_filters(year))
    return render(request, "dashboards/report.html", {
        "year": year, "d": board, "charts": _charts(board), "suppress_below": SUPPRESS_BELOW,
        "eur_rounded_to": EUR_ROUNDED_TO, "count_rounded_to": COUNT_ROUNDED_TO,
        "exact": year_filters(year).whole_past_year is not None,
    })


@require_GET
@role_required(*DASHBOARD_READERS)
def annual_report_export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    if not 2000 <= year <= timezone.now().year:
        return HttpResponse(_("No report for that year."), status=404, content_type="text/plain; charset=utf-8")
    if connection.vendor != "postgresql":
        return HttpResponse(NO_ROLLUPS, status=503, content_type="text/plain; charset=utf-8")
    rows = donor_dashboard(year_filters(year)).rows()
    name = f"protect-annual-report-{year}"
    return exports.xlsx_response(rows, name) if fmt == "xlsx" else exports.csv_response(rows, name)
