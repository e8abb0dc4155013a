"""What django-axes counts failed logins under: a keyed hash of the typed name, never the name.

Lock-out stays per user name (the same name always gives the same key), but the attempts table no
longer lists the names people typed — often real names, or a colleague's mistyped password."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.crypto import salted_hmac


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
