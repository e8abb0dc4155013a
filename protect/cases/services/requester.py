"""Requester access, for any kind: a receipt code and a passphrase open one case's status page.

No IP address is kept, so guessing is slowed per receipt: five wrong passphrases pause it for 15
minutes. Every attempt costs one password hash, whether the receipt exists, is paused or not, so
timing tells nothing.

Every attempt is audited (`cases.requester.*`), a success as a read of the case, a failure with
its reason, a pause when it starts; an unknown receipt is a failure without a target. The data
never holds the receipt code, the passphrase or anything that identifies the requester's device."""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from protect.audit.services import log_event
from protect.core.errors import NotFound
from protect.public.receipt import normalise_receipt_code, normalise_secret

from ..models import Case
from ..registry import case_models
from .intake import receipt_index

STATUS_MAX_FAILURES = 5
STATUS_LOCK = timedelta(minutes=15)
REQUESTER = "requester"  # the audit actor label: the requester has no account and is never named


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
    code = normalise_receipt_code(receipt_code)
    if not code or not passphrase.strip():
        raise not_recognised
    # Failures leave the transaction normally and raise after it: their count and their audit
    # events must be committed, not rolled back with the exception.
    with transaction.atomic():
        case = _find(code)
        stored = case.passphrase_hash if case is not None else _unknown_receipt_hash()
        matches = check_password(normalise_secret(passphrase), stored)
        now = timezone.now()
        if case is None:
            log_event("cases.requester.login_failed", actor=REQUESTER, data={"reason": "unknown_receipt"})
        elif case.status_locked_until and case.status_locked_until > now:
            log_event("cases.requester.login_failed", actor=REQUESTER, target=case, data={"reason": "paused"})
        elif matches:
            if case.status_failures:
                case.status_failures = 0
                case.save(update_fields=["status_failures"])
            log_event("cases.requester.logged_in", actor=REQUESTER, target=case)
            return case
        else:
            case.status_failures += 1
            log_event("cases.requester.login_failed", actor=REQUESTER, target=case,
                      data={"reason": "wrong_passphrase", "failures": case.status_failures})
            if case.status_failures >= STATUS_MAX_FAILURES:
                case.status_locked_until = now + STATUS_LOCK
                case.status_failures = 0
                log_event("cases.requester.locked", actor=REQUESTER, target=case,
                          data={"minutes": int(STATUS_LOCK.total_seconds() // 60)})
            case.save(update_fields=["status_failures", "status_locked_until"])
    raise not_recognised
