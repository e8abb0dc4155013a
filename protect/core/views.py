"""Public pages and machine endpoints: landing page, health, CSP violation reports."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import health

logger = logging.getLogger("protect.csp")

MAX_CSP_REPORT_BYTES = 8 * 1024


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = health.check_all()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "degraded"} | {k: "up" if v else "down" for k, v in checks.items()}
    return JsonResponse(body, status=200 if healthy else 503)


@csrf_exempt  # browsers send reports without a token; the view stores nothing and reads little
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    # Only the directive is logged: a report's URLs may carry a case id or a receipt code.
    body = request.body[:MAX_CSP_REPORT_BYTES].decode("utf-8", errors="replace")
    directive = "unknown"
    for key in ('"violated-directive":"', '"effective-directive":"', '"violated-directive": "'):
        if key in body:
            directive = body.split(key, 1)[1].split('"', 1)[0][:80]
            break
    logger.warning("csp violation reported directive=%s", directive)
    return HttpResponse(status=204)
