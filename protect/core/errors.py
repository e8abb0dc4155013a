"""The one application error type: every app's error subclasses it.

The UI shows `message`; the API maps it once to a 4xx (protect.api.errors)."""

from __future__ import annotations


class ProtectError(Exception):
    """A rule of the domain said no. The message is safe to show to the person who asked."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PermissionDenied(ProtectError):
    status_code = 403

    def __init__(self, message: str = "You are not allowed to do this.", *, code: str = "forbidden") -> None:
        super().__init__(message, code=code)


class NotFound(ProtectError):
    status_code = 404

    def __init__(self, message: str = "Not found.", *, code: str = "not_found") -> None:
        super().__init__(message, code=code)


class Conflict(ProtectError):
    status_code = 409

    def __init__(self, message: str, *, code: str = "conflict") -> None:
        super().__init__(message, code=code)
