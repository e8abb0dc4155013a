"""Login throttling that answers a locked account exactly like any wrong password.

django-axes stops a locked-out user name before any password is checked, which makes its answer
faster than a real check: timing alone would then tell "this name is locked", and locking only
happens to names someone tried. Spending one password hash before refusing keeps the cost the
same as for an unknown name (Django hashes once then too) or a wrong password."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(
        self, request: HttpRequest, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            make_password(password or "")
            raise
