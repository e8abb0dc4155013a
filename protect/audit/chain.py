"""The hash chain: how an event is canonicalised and hashed, and how the chain is verified."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical(*, seq: int, occurred_at: datetime, actor_id: int | None, actor_label: str, action: str,
              target_type: str, target_id: str, data: dict[str, Any]) -> bytes:
    body = {
        "seq": seq,
        "at": occurred_at.isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target": [target_type, target_id],
        "data": data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(canonical_bytes: bytes, prev_hash: str) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_bytes).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    pk: int
    reason: str


def verify(events: Iterable[Any]) -> tuple[int, ChainBreak | None]:
    """Walk events in seq order; return (count checked, first break or None)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event in events:
        count += 1
        if event.seq != expected_seq:
            return count, ChainBreak(event.seq, event.pk, f"expected event #{expected_seq} here (missing or moved)")
        if event.prev_hash != expected_prev:
            return count, ChainBreak(
                event.seq, event.pk, "previous-hash link broken (row deleted, inserted or reordered)"
            )
        body = canonical(
            seq=event.seq, occurred_at=event.occurred_at, actor_id=event.actor_id, actor_label=event.actor_label,
            action=event.action, target_type=event.target_type, target_id=event.target_id, data=event.data,
        )
        if event_hash(body, event.prev_hash) != event.hash:
            return count, ChainBreak(event.seq, event.pk, "content does not match its hash (row edited)")
        expected_prev = event.hash
        expected_seq += 1
    return count, None
