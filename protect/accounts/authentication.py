"""DRF authentication for partners: `Authorization: Bearer pt_<prefix>_<secret>`.

Every refusal gives the same answer ("Invalid token."), so a caller cannot tell an unknown token
from a revoked or expired one, or from a disabled account."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from .models import ApiToken, User
from .permissions import has_any_role
from .roles import API_TOKEN_HOLDERS
from .selectors import api_token_find
from .services import api_token_mark_used

INVALID = "Invalid token."
MAX_TOKEN_LENGTH = 200


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: let the next class (session) try
        if len(header) != 2 or len(header[1]) > MAX_TOKEN_LENGTH:
            raise exceptions.AuthenticationFailed(INVALID)
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(INVALID) from exc
        return self.authenticate_credentials(raw)

    def authenticate_credentials(self, raw: str) -> tuple[User, ApiToken]:
        token = api_token_find(raw)
        now = timezone.now()
        if token is None or not token.is_usable(now):
            raise exceptions.AuthenticationFailed(INVALID)
        user = token.user
        # Checked at every use: a partner who lost the role (or was disabled) loses the API too.
        if not user.is_active or not has_any_role(user, API_TOKEN_HOLDERS):
            raise exceptions.AuthenticationFailed(INVALID)
        api_token_mark_used(token=token, now=now)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def token_of(request: Any) -> ApiToken | None:
    """The ApiToken a DRF request was authenticated with, if any (for audit `actor=`)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None
