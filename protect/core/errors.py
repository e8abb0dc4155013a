"""The one application error type: every app's error subclasses it.

The UI shows `message`; the API maps it once to a 4xx (protect.api.errors)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError


class ProtectError(Exception):
    """A rule of the domain said no. The message is safe to show to the person who asked;
    `field` names the input it concerns (a form shows it there), or is None for the whole request."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


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


class InvalidInput(ProtectError):
    """Several inputs refused at once (a model's own validation): `errors` maps field → messages."""

    def __init__(self, errors: dict[str, list[str]], *, code: str = "invalid") -> None:
        first_field, first = next(iter(errors.items()), (None, ["Invalid input."]))
        super().__init__(" ".join(first), code=code, field=first_field)
        self.errors = errors


PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Server error",
}


def problem_body(status: int, detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Problem details (RFC 9457) for a machine: the API's every refusal, and the error pages under /api/."""
    body: dict[str, Any] = {"type": f"/api/docs/#error-{status}", "title": PROBLEM_TITLES.get(status, "Error"),
                            "status": status, "detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    return body


def clean_or_refuse(instance: Any, *, only: Iterable[str] | None = None, **options: Any) -> None:
    """Run a model's full_clean(); a refusal leaves as an InvalidInput naming its fields, so no
    caller ever sees Django's ValidationError.

    `options` go to full_clean. `only` names the fields a change sets (a workflow step saves just
    those): the other fields were checked when they were set, and checking them again made most of
    a transition's queries (each foreign key looked up, each unique field searched, each encrypted
    field decrypted, its data key unwrapped). The model's clean() and all its constraints still run."""
    try:
        if only is None:
            instance.full_clean(**options)
        else:
            named = set(only)
            unchanged = [f.name for f in instance._meta.concrete_fields if not {f.name, f.attname} & named]
            instance.full_clean(exclude=unchanged, validate_constraints=False)
            # Every constraint runs, but without the unchanged encrypted fields: no constraint can
            # read a ciphertext, and Django reads every field it is not told to leave out, which
            # decrypted each of them (its data key unwrapped) to check, say, an amount.
            sealed = [f.name for f in instance._meta.concrete_fields
                      if f.name in unchanged and callable(getattr(f, "decrypt", None))]
            instance.validate_constraints(exclude=sealed)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}) from None


def form_errors_from(form: Any, exc: ProtectError) -> None:
    """Show a domain error in a form: beside the field it names, or at the top. The one mapping of
    errors to forms; the API's exception handler gives the same `field` to a machine."""
    fields = getattr(exc, "errors", None) or {exc.field: [exc.message]}
    for name, messages in fields.items():
        form.add_error(name if name in form.fields else None, messages)
