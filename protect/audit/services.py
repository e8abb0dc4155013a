"""log_event(): the one way anything is written to the audit log."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, canonical, event_hash
from .keys import audit_keyring
from .models import AuditEvent

logger = logging.getLogger(__name__)

# One lock serialises appends so that each event links to the true previous one. It is held
# until the surrounding transaction commits, so the chain order is the commit order.
_CHAIN_LOCK_KEY = 7_310_001
_ALLOWED_DATA_TYPES = (str, int, float, bool, type(None))


def _check_data(data: dict[str, Any], path: str = "data") -> None:
    for key, value in data.items():
        if not isinstance(key, str):
            raise TypeError(f"{path} keys must be strings")
        if isinstance(value, dict):
            _check_data(value, f"{path}.{key}")
        elif isinstance(value, list | tuple):
            for item in value:
                if not isinstance(item, _ALLOWED_DATA_TYPES):
                    raise TypeError(f"{path}.{key} may only list plain values")
        elif not isinstance(value, _ALLOWED_DATA_TYPES):
            raise TypeError(f"{path}.{key} has type {type(value).__name__}; audit data holds plain values only")


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, AbstractBaseUser):
        return actor.pk if actor.is_authenticated else None, ""
    user = getattr(actor, "user", None)  # an API token acts for its user
    if isinstance(user, AbstractBaseUser):
        return user.pk, f"token:{getattr(actor, 'prefix', actor.pk)}"
    return None, str(actor)[:150]


def log_event(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (or its own, when there is none).

    `actor` is a user, an API token (anything with `.user`), or None / a label for the system.
    `data` holds non-sensitive facts only: ids, codes, amounts; never names or narratives."""
    if action.count(".") < 2:
        raise ValueError(f"audit action {action!r} must be dotted: app.object.verb")
    data = dict(data or {})
    _check_data(data)
    actor_id, actor_label = _actor_fields(actor)
    target_type = target._meta.label_lower if target is not None else ""
    target_id = str(target.pk) if target is not None else ""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        occurred_at = timezone.now()
        ring = audit_keyring()
        key_id = ring.primary_id
        body = canonical(seq=seq, occurred_at=occurred_at, actor_id=actor_id, actor_label=actor_label,
                         action=action, target_type=target_type, target_id=target_id, data=data, key_id=key_id)
        event = AuditEvent(
            seq=seq, occurred_at=occurred_at, actor_id=actor_id, actor_label=actor_label, action=action,
            target_type=target_type, target_id=target_id, data=data, prev_hash=prev_hash, key_id=key_id,
            hash=event_hash(body, prev_hash, key=ring.primary_key),
        )
        event.save(force_insert=True)
    return event


def log_reveal(*, user: Any, target: models.Model, fields: list[str]) -> AuditEvent:
    """A person was shown decrypted sensitive fields: who, what record, which fields (not values)."""
    return log_event(f"{target._meta.label_lower}.revealed", actor=user, target=target, data={"fields": sorted(fields)})


def log_audit_read(*, user: Any, filtered: bool, before: int | None) -> AuditEvent:
    """A coordinator read a page of the audit log. Whether it was filtered, not the filter's text
    (typed by hand, it is not a code and may be anything)."""
    return log_event("audit.log.viewed", actor=user, data={"filtered": filtered, "before": before})


def log_chain_verified(*, user: Any, count: int, broken_seq: int | None) -> AuditEvent:
    """A coordinator ran the chain check from the audit page, and what it found."""
    return log_event("audit.chain.verified", actor=user,
                     data={"events": count, "intact": broken_seq is None, "broken_seq": broken_seq})
