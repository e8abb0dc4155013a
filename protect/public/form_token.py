"""The single-use signed form token of the public forms: issued with the page, checked, consumed
when the form is acted upon, released when the action was refused. One module for its whole life.

The token is signed (so it cannot be made up), carries the time the form was served (so a form
sent faster than a person could fill it, or left open too long, is noticed), and names a random
nonce that the shared cache marks as used (so a double click or a replayed POST acts once). It
resists spam without ever looking at an IP address. The `purpose` names the form and salts the
signature, so a token served with one form is worth nothing on another.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from .ratelimit import rate_limit_exceeded

_USED_PREFIX = "protect.public.form-token"
# A used nonce is remembered a little longer than a token can live, so no replay outlives it.
_USED_GRACE_SECONDS = 600

Problem = Literal["", "invalid", "expired", "too_fast"]
Spent = Literal["spent", "used", "busy"]


@dataclass(frozen=True)
class FormToken:
    """A checked form token: `nonce` names it in the used-token store; `problem` is "" when usable."""

    nonce: str
    problem: Problem

    @property
    def usable(self) -> bool:
        return self.problem == ""


def form_token_issue(*, purpose: str, now: float | None = None) -> str:
    """A signed token for the form `purpose`, carrying a random nonce and the time it was served."""
    issued = time.time() if now is None else now
    return signing.dumps({"n": secrets.token_urlsafe(16), "t": int(issued)}, salt=purpose)


def form_token_check(*, token: str, purpose: str, now: float | None = None) -> FormToken:
    """Is the token ours for `purpose`, younger than the maximum age and older than the minimum
    fill time? Whether it was already used is asked of the store (form_token_used)."""
    now = time.time() if now is None else now
    max_age = settings.PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS
    try:
        payload = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired:
        return FormToken(nonce="", problem="expired")
    except signing.BadSignature:
        return FormToken(nonce="", problem="invalid")
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str) or not isinstance(payload.get("t"), int):
        return FormToken(nonce="", problem="invalid")
    if now - payload["t"] > max_age:
        return FormToken(nonce="", problem="expired")
    if now - payload["t"] < settings.PROTECT_PUBLIC_FORM_MIN_SECONDS:
        return FormToken(nonce=payload["n"], problem="too_fast")
    return FormToken(nonce=payload["n"], problem="")


def _used_key(token: FormToken) -> str:
    if not token.nonce:
        raise ValueError("an invalid or expired form token names no nonce")
    return f"{_USED_PREFIX}.{token.nonce}"


def form_token_used(*, token: FormToken) -> bool:
    return cache.get(_used_key(token)) is not None


def form_token_consume(*, token: FormToken) -> bool:
    """Mark the token used; False if it already was (a double click, a replayed POST).

    `cache.add` is atomic in Redis: of two concurrent submissions of one form, one wins."""
    if not token.usable:
        raise ValueError(f"a form token with the problem {token.problem!r} cannot be consumed")
    ttl = settings.PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS + _USED_GRACE_SECONDS
    return bool(cache.add(_used_key(token), 1, timeout=ttl))


def form_token_release(*, token: FormToken) -> None:
    """Give a token back when the action it carried was refused, so the person can fix and resend."""
    cache.delete(_used_key(token))


def form_token_spend(*, token: FormToken, bucket: str, per_minute: int) -> Spent:
    """Consume a usable token, then count it against the global per-minute budget of `bucket`.

    This is the only way a public form reaches the budget: what counts is a token that was valid,
    old enough and never used, and it counts once (a replay loses at `cache.add` before counting).
    Junk without such a token never uses up the minute, so one client cannot block the form for
    everyone by sending it. "used": already consumed; "busy": over budget, the token is given back
    so the same form can be sent again in a minute; "spent": go ahead."""
    if not form_token_consume(token=token):
        return "used"
    if rate_limit_exceeded(bucket=bucket, per_minute=per_minute):
        form_token_release(token=token)
        return "busy"
    return "spent"
