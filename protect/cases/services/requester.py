"""Requester access, for any kind: a receipt code and a passphrase open one case's status page.

No IP address is kept, so guessing is slowed per receipt: five wrong passphrases pause it for 15
minutes. Every attempt costs one password hash, whether the receipt exists, is paused or not, so
timing tells nothing.

Every attempt is audited (`cases.requester.*`), a success as a read of the case, a failure with
its reason, a pause when it starts; an unknown receipt is a failure without a target. The data
never holds the receipt code, the passphrase or anything that identifies the requester's device.

A requester who lost their receipt calls back through a channel the caseworker can verify; the
caseworker then issues a new one (case_reissue_receipt): the old code and passphrase stop working
at once, a status page still open with them closes on its next request, and the re-issue is
audited with the channel that was verified."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from protect.audit.services import log_event
from protect.core.errors import NotFound
from protect.public.receipt import normalise_receipt_code, normalise_secret
from protect.workflow import workflow_for

from ..errors import CaseError
from ..models import Case, VerifiedChannel
from ..registry import case_models
from .intake import RequesterSecrets, new_requester_secrets, receipt_index

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


def receipt_fingerprint(case: Case) -> str:
    """Names the receipt a status-page session was opened with, so that a session opened with a
    replaced receipt ends (a seized phone still on the page loses it the moment a new one is issued).
    A digest of the blind index, never the code itself."""
    return hashlib.sha256((case.receipt_index or "").encode()).hexdigest()[:16]


def case_reissue_receipt(*, case: Case, by: Any, verified_channel: str, language: str) -> RequesterSecrets:
    """A new receipt code and passphrase for a requester who called back through a verified
    channel, in the script of `language`. The old ones stop working in the same transaction; the
    pause after wrong passphrases is lifted (the new receipt must work at once). The caller shows
    the new secrets once, to be read out; they are stored only as a blind index and a hash."""
    if verified_channel not in VerifiedChannel.values:
        raise CaseError("Say through which channel the requester was verified.", code="verified_channel",
                        field="verified_channel")
    if language not in dict(settings.LANGUAGES):
        raise CaseError("Choose the language of the passphrase.", code="language", field="language")
    requester = new_requester_secrets(language)
    index = receipt_index(type(case).kind, requester.receipt_code)
    passphrase_hash = make_password(normalise_secret(requester.passphrase))  # slow: before the row is locked
    with workflow_for(type(case)).acting(case, "reissue_receipt", by=by) as locked:
        locked.receipt_index, locked.passphrase_hash = index, passphrase_hash
        locked.status_failures, locked.status_locked_until = 0, None
        locked.save(update_fields=["receipt_index", "passphrase_hash", "status_failures", "status_locked_until"])
        log_event(f"{locked._meta.label_lower}.receipt_reissued", actor=by, target=locked,
                  data={"verified_channel": verified_channel, "language": language})
    return requester
