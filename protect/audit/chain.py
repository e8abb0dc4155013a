"""The keyed hash chain: how an event is canonicalised and chained, and how the chain is verified.

Each event's `hash` is HMAC-SHA256, under the audit key named by its `key_id`, of the previous
event's hash and the canonical event (its key id included). The key lives outside the database
(protect.audit.keys), so whoever can write to the database can delete or edit rows but cannot
recompute a chain that verifies. Cutting the tail off leaves a shorter chain that is still whole:
that is what checkpoints kept outside the database catch (`verify(..., checkpoints=…)`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .keys import AuditKeyRing

GENESIS_HASH = "0" * 64


def canonical(*, seq: int, occurred_at: datetime, actor_id: int | None, actor_label: str, action: str,
              target_type: str, target_id: str, data: dict[str, Any], key_id: str) -> bytes:
    body = {
        "seq": seq,
        "at": occurred_at.isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target": [target_type, target_id],
        "data": data,
        "key": key_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(canonical_bytes: bytes, prev_hash: str, *, key: bytes) -> str:
    return hmac.new(key, prev_hash.encode() + b"\n" + canonical_bytes, hashlib.sha256).hexdigest()


def canonical_of(event: Any) -> bytes:
    return canonical(
        seq=event.seq, occurred_at=event.occurred_at, actor_id=event.actor_id, actor_label=event.actor_label,
        action=event.action, target_type=event.target_type, target_id=event.target_id, data=event.data,
        key_id=event.key_id,
    )


@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at some moment, kept outside the database (manage.py audit_checkpoint)."""

    seq: int
    hash: str
    at: str = ""

    def as_json(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at}, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> Checkpoint:
        """One JSON line as printed by audit_checkpoint; ValueError when it is not one."""
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError("not a JSON line") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("seq"), int) or not isinstance(raw.get("hash"), str):
            raise ValueError('expected {"seq": <int>, "hash": "<hex>", "at": "<time>"}')
        return cls(seq=raw["seq"], hash=raw["hash"], at=str(raw.get("at", "")))


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    pk: int | None
    reason: str


def verify(events: Iterable[Any], *, ring: AuditKeyRing,
           checkpoints: Sequence[Checkpoint] = ()) -> tuple[int, ChainBreak | None]:
    """Walk events in seq order; return (count checked, first break or None).

    Every event must carry the HMAC of its key (an unknown key id is a break), keys may only get
    newer along the chain (an old key cannot be used to append after a rotation), and the chain
    must pass through every checkpoint, at its sequence number and with its hash."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    newest_age: int | None = None
    count = 0
    pending = sorted(checkpoints, key=lambda checkpoint: checkpoint.seq)
    for event in events:
        count += 1
        if event.seq != expected_seq:
            return count, ChainBreak(event.seq, event.pk, f"expected event #{expected_seq} here (missing or moved)")
        if event.prev_hash != expected_prev:
            return count, ChainBreak(
                event.seq, event.pk, "previous-hash link broken (row deleted, inserted or reordered)"
            )
        key = ring.key(event.key_id)
        if key is None:
            return count, ChainBreak(event.seq, event.pk, f"chained with the unknown audit key {event.key_id!r}")
        age = ring.age(event.key_id)
        if newest_age is not None and age > newest_age:
            return count, ChainBreak(event.seq, event.pk, "chained with an older audit key than the event before it")
        newest_age = age
        if not hmac.compare_digest(event_hash(canonical_of(event), event.prev_hash, key=key), event.hash):
            return count, ChainBreak(
                event.seq, event.pk, "content does not match its hash (row edited or chain recomputed)"
            )
        while pending and pending[0].seq <= event.seq:
            checkpoint = pending.pop(0)
            if checkpoint.seq == event.seq and not hmac.compare_digest(checkpoint.hash, event.hash):
                return count, ChainBreak(event.seq, event.pk, "differs from the checkpoint taken at this event")
        expected_prev = event.hash
        expected_seq += 1
    for checkpoint in pending:
        if checkpoint.seq > 0:
            return count, ChainBreak(checkpoint.seq, None, (
                f"the chain ends at event #{expected_seq - 1} but a checkpoint was taken at event "
                f"#{checkpoint.seq} (events cut off the end)"))
    return count, None
