"""Encrypting a column that held plaintext, in a data migration.

A migration's historical models carry fields but no methods, so an encrypted field on one cannot
ask the row for its data key (`get_data_key()`). `seal_under` gives a historical row that method
for the duration of the migration, built from its owner's historical DataKey row; saving the row
then seals its encrypted fields exactly as the live model would (same table, column and row in the
associated data). The row of an erased defender has no key left: its value is sealed under a
fresh key that is dropped at once, so it ends as unreadable as everything else of that defender,
and the plaintext does not survive the erasure it should have followed.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import primitives
from .keys import master_keyring


class MigrationDataKey:
    """What an encrypted field needs of a data key (fields.SealingKey), from a historical DataKey row."""

    def __init__(self, data_key_row: Any) -> None:
        wrapped = bytes(data_key_row.wrapped or b"")
        if wrapped and data_key_row.destroyed_at is None:
            raw = primitives.unwrap_data_key(wrapped, data_key_id=data_key_row.id, ring=master_keyring())
        else:
            raw = primitives.new_data_key()  # erased: a key nobody will ever hold
        self._cipher = AESGCM(raw)

    def cipher(self) -> AESGCM:
        return self._cipher

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        return primitives.seal(self._cipher, plaintext, aad)


def seal_under(row: Any, data_key_row: Any) -> None:
    """Let the historical `row` seal its encrypted fields under `data_key_row` when saved."""
    key = MigrationDataKey(data_key_row)
    row.get_data_key = lambda: key
