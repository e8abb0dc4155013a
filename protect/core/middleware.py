"""Response hardening that Django's SecurityMiddleware does not cover."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import ProtectError


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
