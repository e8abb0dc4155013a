"""Record that a ciphertext failed to decrypt: a log line always, an audit event when possible.

A failed decryption means tampering, a wrong key or a bug: someone must see it. The audit event
"crypto.decrypt.failed" is written in a savepoint of the caller's transaction (or its own
transaction when there is none): if the caller then rolls back because of the error, the event
is rolled back with it, so the log line (model, field, row, no value) is the record that always
survives. Re-entry is refused, so an audit write that itself reads an encrypted field cannot loop.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction

from protect.audit.services import log_event

from .errors import DecryptionError

logger = logging.getLogger("protect.crypto")
_state = threading.local()


def report_decryption_failure(*, instance: Any, field_name: str, error: DecryptionError) -> None:
    label = instance._meta.label_lower if hasattr(instance, "_meta") else type(instance).__name__
    logger.warning("crypto: decryption failed model=%s field=%s pk=%s code=%s",
                   label, field_name, getattr(instance, "pk", None), error.code)
    if getattr(_state, "busy", False):
        return
    _state.busy = True
    try:
        target = instance if getattr(instance, "pk", None) is not None else None
        with transaction.atomic():  # a savepoint: a failed audit write must not poison the caller
            log_event("crypto.decrypt.failed", target=target,
                      data={"model": label, "field": field_name, "code": error.code})
    except Exception:
        logger.exception("crypto: could not write the crypto.decrypt.failed audit event")
    finally:
        _state.busy = False
