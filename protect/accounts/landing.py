"""Where each role lands after logging in: the page of its daily work."""

from __future__ import annotations

from typing import Any

from django.urls import Resolver404, resolve, reverse

from .roles import Role

# The first of the user's roles in this order decides (a coordinator who also reviews starts at the
# queue). Route names only: accounts imports no case app. "/host/" is a path: the host pages may
# not be installed, and then a host lands on its account page.
LANDING: list[tuple[Role, str]] = [
    (Role.COORDINATOR, "grants:queue"),
    (Role.CASEWORKER, "grants:queue"),
    (Role.REVIEWER, "grants:review-inbox"),
    (Role.FINANCE, "grants:payments"),
    (Role.DONOR, "dashboards:donor"),
    (Role.HOST, "/host/"),
    (Role.PARTNER, "accounts:account"),
]


def _exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def landing_url(user: Any) -> str:
    roles = user.role_names() if user is not None and user.is_authenticated else frozenset()
    for role, target in LANDING:
        if role in roles:
            if target.startswith("/"):
                if _exists(target):
                    return target
                continue
            return reverse(target)
    return reverse("accounts:account")
