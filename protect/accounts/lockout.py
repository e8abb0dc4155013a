"""Login throttling: a short, growing pause per user name, and a global brake on failures.

Per name (django-axes, counted under a keyed hash of the typed name, never the name, so the
attempts table does not list what people typed: often real names, or a colleague's password).
Every LOGIN_FAILURE_LIMIT failures pause the name, first for LOGIN_PAUSE_FIRST_MINUTES, then
twice as long each time up to LOGIN_PAUSE_MAX_MINUTES. Five requests by someone who merely knows a
colleague's user name now buy a one-minute pause, not fifteen; yet a name under steady guessing
still gets at most LOGIN_FAILURE_LIMIT guesses per LOGIN_PAUSE_MAX_MINUTES, as before. The count is
the name's failures in axes' window (AXES_COOLOFF_TIME: LOGIN_FAILURE_MEMORY_HOURS after the last
failure); a successful login clears it (AXES_RESET_ON_SUCCESS).

Across all names (the shared cache, so every web process sees one count; no IP anywhere): once
LOGIN_GLOBAL_FAILURES_PER_MINUTE failures happened in the current minute, every login attempt is
refused until the minute ends. That bounds guessing spread over many names, which the per-name
pause cannot see. The README ("Logging in") states the price: anyone able to send that many
wrong passwords a minute can hold every login back for as long as they keep it up.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from protect.core.counters import count_hit

_GLOBAL_PREFIX = "protect.accounts.login_failures"
_clock = time.time  # the minute a failure counts in (tests pin it to a minute of their own)


def typed_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    data = getattr(request, "POST", None)
    value = data.get("username") if data is not None else None
    return str(value) if value else None


def lockout_key(name: str) -> str:
    return "h:" + salted_hmac("protect.accounts.lockout", name.strip().casefold()).hexdigest()[:40]


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE."""
    name = typed_username(request, credentials)
    return lockout_key(name) if name else None


# --- Per name: progressive pause -----------------------------------------------------------


def pause_length(pause_number: int) -> timedelta:
    """How long the n-th pause of a name lasts (1st, 2nd, …): doubling, capped."""
    minutes = settings.LOGIN_PAUSE_FIRST_MINUTES * 2 ** min(max(pause_number - 1, 0), 16)
    return timedelta(minutes=min(minutes, settings.LOGIN_PAUSE_MAX_MINUTES))


def failure_limit(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> int:
    """AXES_FAILURE_LIMIT: axes pauses a name whose failures reach this number.

    With f failures on record, the name is paused while f is a multiple of the limit and the
    pause that number earned has not run out since the last failure (failures during a pause are
    not recorded, so f stands still); the answer is then f itself. Otherwise it is the next
    multiple of the limit, where the next, longer pause begins."""
    limit: int = settings.LOGIN_FAILURE_LIMIT
    key = axes_username(request, credentials)
    if key is None:
        return limit
    history = AccessAttempt.objects.filter(
        username=key, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures, last = history["failures"] or 0, history["last"]
    if failures and failures % limit == 0 and last is not None:
        if timezone.now() < last + pause_length(failures // limit):
            return failures
    return (failures // limit + 1) * limit


# --- Across all names: failures per minute ---------------------------------------------------


def _minute_key() -> str:
    return f"{_GLOBAL_PREFIX}.{int(_clock() // 60)}"


def global_failure_record() -> int:
    """Count one failed login in this minute; return the minute's count so far."""
    return count_hit(_minute_key(), expires=120)


def logins_paused_for_everyone() -> bool:
    """True once this minute has seen LOGIN_GLOBAL_FAILURES_PER_MINUTE failed logins."""
    return int(cache.get(_minute_key(), 0)) >= settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE
