"""No IP address is stored or logged anywhere (DESIGN: protecting the data)."""

from __future__ import annotations

from django.http import HttpRequest


def no_client_ip(request: HttpRequest) -> str:
    """django-axes asks for a client IP; we give it a constant so none is ever recorded."""
    return "0.0.0.0"  # noqa: S104 - a placeholder, not a bind address
