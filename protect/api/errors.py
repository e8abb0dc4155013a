"""The one place an error becomes an HTTP answer for the API: problem details (RFC 9457) for every
4xx, with the same domain-error mapping as the pages (`ProtectError.field` → the field's errors).

Nothing internal leaves: no stack trace, no exception class, no database id. A 5xx says only that
something failed on our side."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from protect.core.errors import PROBLEM_MEDIA_TYPE, InvalidInput, ProtectError, problem_body


class ApiError(ProtectError):
    """A rule of the API itself (a missing or malformed header): a 400, unlike a domain refusal."""


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with another request body."
    default_code = "idempotency_key_reused"


def problem(status_code: int, detail: str, code: str, errors: dict[str, list[str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    return Response(problem_body(status_code, detail, code, errors), status=status_code, headers=headers,
                    content_type=PROBLEM_MEDIA_TYPE)


def _field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail flattened to "field.sub" → messages."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            key = "non_field_errors" if name in ("non_field_errors", "__all__") and not prefix else (
                f"{prefix}{name}")
            found |= _field_errors(value, f"{key}.") if isinstance(value, dict) else {key: _messages(value)}
    else:
        found[prefix.rstrip(".") or "non_field_errors"] = _messages(detail)
    return found


def _messages(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out += _messages(item) if isinstance(item, (list, dict)) else [str(item)]
        return out
    if isinstance(value, dict):
        return [f"{k}: {' '.join(_messages(v))}" for k, v in value.items()]
    return [str(value)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ProtectError):
        # A domain rule refused a well-formed request: 422, as the pages show it beside the field.
        code = 422 if exc.status_code == 400 and not isinstance(exc, ApiError) else exc.status_code
        errors = dict(exc.errors) if isinstance(exc, InvalidInput) else ({exc.field: [exc.message]} if exc.field
                                                                          else None)
        return problem(code, exc.message, exc.code, errors)
    if isinstance(exc, Http404):
        return problem(404, "Not found.", "not_found")
    if isinstance(exc, DjangoPermissionDenied):
        return problem(403, "You are not allowed to do this.", "forbidden")
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        return problem(400, "The request has invalid fields: see errors.", "invalid", errors)
    if isinstance(exc, exceptions.APIException):
        headers: dict[str, str] = {}
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            headers["Retry-After"] = str(max(1, int(wait + 0.999)))
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        detail = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        codes = exc.get_codes()
        return problem(exc.status_code, str(detail), codes if isinstance(codes, str) else "error", headers=headers)
    return None  # a bug: Django's 500 handler answers, with nothing of the exception in the body
