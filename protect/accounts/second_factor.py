"""Where a user stands with the second factor: enrolled or not, and the page that comes next.

Read by the role checks (permissions), the middleware, the services and the views alike, so it
imports none of them: it sits below them all and keeps the accounts modules free of a circle."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from .models import AuthenticatorDevice


def has_second_factor(user: Any) -> bool:
    """True when the user has a confirmed authenticator app (recovery codes alone do not count)."""
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_url(user: Any, next_url: str = "") -> str:
    """Where a half-logged-in user goes: enrolment if they have no authenticator yet, else verify."""
    name = "accounts:2fa-verify" if has_second_factor(user) else "accounts:2fa-setup"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
