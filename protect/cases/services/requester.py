"""Requester access, for any kind: a receipt code and a passphrase open one case's status page.

No IP address is kept, so guessing is slowed per receipt: five wrong passphrases pause it for 15
minutes. Every attempt costs one password hash, whether the receipt exists, is paused or not, so
timing tells nothing."""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from protect.core.errors import NotFound

from ..models import Case
from ..registry import case_models
from .intake import normalise_secret, receipt_index

STATUS_MAX_FAILURES = 5
STATUS_LOCK = timedelta(minutes=15)


@functools.cache
def _unknown_receipt_hash() -> str:
    return make_password(secrets.token_urlsafe(16))


def _find(code: str) -> Case | None:
    for model in case_models():  # receipts are unique per kind; a code opens at most one case
        case = model._default_manager.select_for_update().filter(receipt_index=receipt_index(model.kind, code)).first()
        if case is not None:
            return case
    return None


def case_for_requester(*, receipt_code: str, passphrase: str) -> Case:
    """The case a receipt code + passphrase open, or NotFound (the same for every failure)."""
    not_recognised = NotFound("Receipt code or passphrase not recognised.")
    code = receipt_code.strip().upper().replace(" ", "")
    if not code or not passphrase.strip():
        raise not_recognised
    with transaction.atomic():
        case = _find(code)
        stored = case.passphrase_hash if case is not None else _unknown_receipt_hash()
        matches = check_password(normalise_secret(passphrase), stored)
        if case is None:
            raise not_recognised
        now = timezone.now()
        if case.status_locked_until and case.status_locked_until > now:
            raise not_recognised
        if matches:
            if case.status_failures:
                case.status_failures = 0
                case.save(update_fields=["status_failures"])
            return case
        case.status_failures += 1
        if case.status_failures >= STATUS_MAX_FAILURES:
            case.status_locked_until = now + STATUS_LOCK
            case.status_failures = 0
        case.save(update_fields=["status_failures", "status_locked_until"])
    raise not_recognised  # after the commit: the failure stays counted
