"""Public pages and machine endpoints: landing page, health, CSP violation reports; the error pages."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import health
from .errors import PROBLEM_MEDIA_TYPE, problem_body

logger = logging.getLogger("protect.csp")

MAX_CSP_REPORT_BYTES = 8 * 1024


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = health.check_all_cached()
    if checks is None:  # another caller is running the first check: no answer yet, and no wait
        return JsonResponse({"status": "checking"}, status=503)
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


# --- error pages (handler400, 403, 404, 500 in protect/urls.py) ----------------------------------


def error_language(request: HttpRequest) -> str:
    """The language of an error page: the URL's language prefix (/ar/…, the public pages), else the
    one LocaleMiddleware chose for this request; never what a thread last served another person."""
    first = request.path_info.lstrip("/").split("/", 1)[0]
    if first in dict(settings.LANGUAGES):
        return first
    return str(getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE)


API_ERRORS = {400: "The request could not be read.", 403: "You are not allowed to do this.", 404: "Not found.",
              413: "The request body is too large.", 500: "Something failed on our side; nothing was changed."}


def _api_problem(status: int) -> HttpResponse:
    """Under /api/ a machine is asking: the same problem details as the API's own refusals."""
    body = problem_body(status, API_ERRORS.get(status, "Error."), {404: "not_found", 500: "server_error"}.get(
        status, "invalid"))
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_MEDIA_TYPE)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    if _is_api(request):
        return _api_problem(status)
    language = error_language(request)
    with translation.override(language):
        response = render(request, template, status=status)
    response.headers["Content-Language"] = language
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "404.html", 404)


def request_too_large(request: HttpRequest) -> HttpResponse:
    return _error_page(request, "413.html", 413)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: no context processor runs, so nothing touches the database or
    # the session that may be what failed.
    if _is_api(request):
        return _api_problem(500)
    language = error_language(request)
    with translation.override(language):
        response = HttpResponseServerError(render_to_string("500.html"))
    response.headers["Content-Language"] = language
    return response
