"""The donor dashboard page: aggregates only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from protect.accounts.permissions import role_required
from protect.accounts.roles import DASHBOARD_READERS

from .selectors import EUR_ROUNDED_TO, SUPPRESS_BELOW, donor_dashboard


@require_GET
@role_required(*DASHBOARD_READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/donor.html", {"d": donor_dashboard(), "suppress_below": SUPPRESS_BELOW,
                                                     "eur_rounded_to": EUR_ROUNDED_TO})
