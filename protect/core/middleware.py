"""Request and response hardening that Django's SecurityMiddleware does not cover."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import ProtectError
from .views import bad_request, request_too_large

# C0 control characters and DEL. No page of ours has one in its address; PostgreSQL refuses NUL in
# a query (a 500), and a control character that reaches a log or a header can forge lines there.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RefuseControlCharactersMiddleware:
    """A 400 page, before any view or query runs, for a path or query string carrying a control
    character (raw or percent-encoded, as in /cases/%00/ or /audit/?action=%00)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _CONTROL.search(request.path) or _CONTROL.search(unquote(request.META.get("QUERY_STRING", ""))):
            return bad_request(request)
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """A 413 page for a request whose declared body is above PROTECT_REQUEST_MAX_BYTES, answered
    before anything reads it (the CSRF check reads POST, the upload handler reads the files).

    Django reads no more than Content-Length, so the declared size is the whole story here; the
    proxy in front refuses the same bodies on the wire (README: client_max_body_size)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(request)
        if declared > settings.PROTECT_REQUEST_MAX_BYTES:
            return request_too_large(request)
        return self.get_response(request)


class NoStoreMiddleware:
    """Forbid caching of every dynamic response.

    A seized laptop or a shared browser must not hold a copy of a case page or of a defender's
    receipt; static assets are served before this middleware (whitenoise) and stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, max-age=0"
        response["Pragma"] = "no-cache"
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        return response


class ProtectErrorMiddleware:
    """A domain error that escapes a page view becomes a calm page with its safe message.

    Views map the errors they expect; this catches the rest (a tampered ciphertext met while
    rendering, an erased record) so that a person sees what went wrong, never a crash page, and no
    data leaks. The API maps the same errors in protect.api.errors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ProtectError) or request.path.startswith("/api/"):
            return None
        return render(request, "error.html", {"message": exception.message}, status=exception.status_code)
