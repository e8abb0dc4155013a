"""Writes of the encryption layer: create, re-wrap (master key rotation) and destroy data keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from protect.audit.services import log_event

from .keys import master_keyring
from .models import DataKey

ROTATION_BATCH = 200


def data_key_create() -> DataKey:
    """A new data key, wrapped under the primary master key and saved."""
    key = DataKey.generate()
    key.save(force_insert=True)
    return key


def data_key_destroy(*, data_key: DataKey) -> DataKey:
    """Crypto-shred: after this, nothing sealed under the key can be read again (see models.py)."""
    data_key.destroy()
    data_key.save(update_fields=["wrapped", "master_key_id", "destroyed_at"])
    return data_key


@dataclass
class RotationReport:
    primary: str
    rewrapped: int = 0
    already_current: int = 0
    destroyed: int = 0
    batches: int = 0

    @property
    def remaining(self) -> int:
        return DataKey.objects.filter(destroyed_at=None).exclude(master_key_id=self.primary).count()


def rotate_master_key(
    *,
    batch_size: int = ROTATION_BATCH,
    max_batches: int | None = None,
    progress: Callable[[RotationReport], Any] | None = None,
) -> RotationReport:
    """Re-wrap every live data key not under the primary master key; data columns are untouched.

    Each batch is its own transaction: an interruption loses at most the batch in flight, and the
    next run picks up the keys still under an old master key. Rows are locked with SKIP LOCKED,
    so two runs at once share the work instead of blocking each other."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    ring = master_keyring()
    report = RotationReport(primary=ring.primary_id)
    live = DataKey.objects.filter(destroyed_at=None)
    report.already_current = live.filter(master_key_id=ring.primary_id).count()
    report.destroyed = DataKey.objects.exclude(destroyed_at=None).count()
    last_id = None
    while max_batches is None or report.batches < max_batches:
        with transaction.atomic():
            pending = live.exclude(master_key_id=ring.primary_id).order_by("id")
            if last_id is not None:
                pending = pending.filter(id__gt=last_id)
            batch = list(pending.select_for_update(skip_locked=True)[:batch_size])
            if not batch:
                break
            for key in batch:
                key.rewrap(ring)
            DataKey.objects.bulk_update(batch, ["wrapped", "master_key_id", "rewrapped_at"])
            last_id = batch[-1].id
            report.rewrapped += len(batch)
            report.batches += 1
            log_event("crypto.master_key.rotated", data={"primary": ring.primary_id, "rewrapped": len(batch)})
        if progress is not None:
            progress(report)
    return report
