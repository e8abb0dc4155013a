"""Session rules for account holders: a 12-hour absolute lifetime, and no page behind login until
the second factor is passed.

Place both after django_otp's OTPMiddleware and MessageMiddleware (see settings.MIDDLEWARE)."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .permissions import is_second_factor_verified
from .second_factor import second_factor_url
from .services import session_track

AUTH_AT_SESSION_KEY = "protect_auth_at"  # when the password was given (Unix seconds)
TRACKED_SESSION_KEY = "protect_tracked_key"  # the session key last recorded in UserSession
IDLE_PUSHED_SESSION_KEY = "protect_idle_pushed_at"  # when the idle expiry was last pushed back (Unix seconds)
# The idle expiry is pushed back at most once a minute: saving the session on every request was a
# write on every page read (the queue's profile). The idle limit is thus 29 to 30 minutes.
IDLE_PUSH_INTERVAL = 60

# Pages anyone may see, including a person half-way through logging in. Everything else is closed
# to an authenticated session that has not passed the second factor (default deny).
PUBLIC_EXACT_PATHS = frozenset({"/", "/healthz", "/favicon.ico"})
# The public request form and status page, unprefixed (English) and in each site language.
PUBLIC_PATH_PREFIXES = (
    "/request/", "/ar/request/", "/en/request/", "/es/request/", "/fr/request/", "/ru/request/", "/csp-report/",
)

F = TypeVar("F", bound=Callable[..., Any])


def second_factor_exempt(view: F) -> F:
    """Mark a view as reachable before the second factor (login, logout, 2FA pages, public pages).

    It does not make the view public to anonymous users: the view's own checks still apply."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]
    return view


def is_public_path(path: str) -> bool:
    if path in PUBLIC_EXACT_PATHS:
        return True
    static_url = settings.STATIC_URL or "/static/"
    return path.startswith((*PUBLIC_PATH_PREFIXES, static_url))


def session_expired(request: HttpRequest) -> bool:
    started = request.session.get(AUTH_AT_SESSION_KEY)
    if not isinstance(started, int | float):
        return True  # no login time recorded: treat as expired rather than as endless
    return time.time() - started > settings.SESSION_ABSOLUTE_SECONDS


def track_session(request: HttpRequest, user: Any = None) -> None:
    """Record the session key of a logged-in user whenever it is new or has rotated, so
    `user_disable` can end every session of a user without scanning the store."""
    session = getattr(request, "session", None)
    user = user if user is not None else getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return
    key = session.session_key
    recorded = session.get(TRACKED_SESSION_KEY)
    if key and key != recorded:
        session_track(user=user, session_key=key, previous_key=recorded)
        session[TRACKED_SESSION_KEY] = key


def push_idle_expiry(request: HttpRequest) -> None:
    """Restart the idle clock (SESSION_COOKIE_AGE) of an active session, at most once a minute: the
    session is saved, with a new expiry, only when it is marked modified."""
    session = getattr(request, "session", None)
    # A partner's token request has no session cookie: it must not be given one.
    if session is None or session.session_key is None or not request.user.is_authenticated:
        return
    now = int(time.time())
    if now - int(session.get(IDLE_PUSHED_SESSION_KEY, 0)) >= IDLE_PUSH_INTERVAL:
        session[IDLE_PUSHED_SESSION_KEY] = now


class SessionLifetimeMiddleware:
    """Log out a session 12 hours (SESSION_ABSOLUTE_SECONDS) after its password login, however
    active it was; and restart the idle clock of an active one (push_idle_expiry)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and session_expired(request):
            logout(request)
            messages.info(request, _("Your session has ended. Please log in again."))
        response = self.get_response(request)
        track_session(request)
        push_idle_expiry(request)
        return response


class SecondFactorRequiredMiddleware:
    """Send an authenticated session that has not passed the second factor to enrolment or
    verification, from every page except those marked `second_factor_exempt` and the public ones.

    Anonymous requests pass through: each view's own login requirement answers them. API calls
    authenticated by a partner token carry no session user and are not concerned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or is_second_factor_verified(user):
            return None
        if getattr(view_func, "second_factor_exempt", False) or is_public_path(request.path_info):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"error": "second_factor_required", "detail": _("Second factor required.")},
                                status=403)
        next_url = request.get_full_path() if request.method == "GET" else ""
        return HttpResponseRedirect(second_factor_url(user, next_url))


class TimeZoneMiddleware:
    """Dates and times on every page in the account holder's own time zone (stored as UTC); anonymous
    visitors, and the public pages, stay in UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        try:
            if name:
                timezone.activate(zoneinfo.ZoneInfo(name))
            else:
                timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()  # a zone the system no longer knows: UTC rather than an error page
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class AdminNeedsAdminRightsMiddleware:
    """A logged-in account holder without admin rights who opens /admin/ gets a clear 403 page
    saying so, not the login page (logging in again would change nothing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        in_admin = request.path.startswith(reverse("admin:index")) and request.path != reverse("admin:logout")
        if (in_admin and user is not None and user.is_authenticated and is_second_factor_verified(user)
                and not (user.is_active and user.is_staff)):
            return render(request, "admin_forbidden.html", status=403)
        return self.get_response(request)
