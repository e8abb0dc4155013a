"""Sealing for bulk loaders that write rows with COPY instead of through the model (the benchmark
data): the very bytes a field's pre_save writes (same format, same associated data bound to table,
column and row), so the app opens them like any other value. Data keys stay one per defender."""

from __future__ import annotations

import os
import uuid
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import primitives
from .fields import EncryptedField
from .keys import master_keyring


class ColumnSealer:
    """One plaintext of one encrypted column, sealed again for each row it is written to.

    Padding and the column's associated data are computed once; each row still gets a fresh nonce
    and its own crypto_id in the associated data, so a value cannot be moved between rows."""

    def __init__(self, field: EncryptedField, value: Any) -> None:
        self.null = value is None and not field.seals_none
        self._padded = b"" if self.null else primitives.pad(field.to_bytes(value))
        self._aad = field.sealed_aad_prefix()

    def seal(self, cipher: AESGCM, crypto_id: uuid.UUID) -> bytes | None:
        """The column's bytes for this row: None (SQL NULL) for a None the field keeps as NULL."""
        return None if self.null else self.seal_bytes(cipher, crypto_id)

    def seal_bytes(self, cipher: AESGCM, crypto_id: uuid.UUID) -> bytes:
        return primitives.seal_padded(cipher, self._padded, self._aad + crypto_id.bytes)


class RowSealer:
    """The encrypted columns of a table written in bulk, sealed together for each row: its values
    as bytea in COPY's text format (hex), one call to the random source for all their nonces."""

    def __init__(self, sealers: list[ColumnSealer]) -> None:
        if any(s.null for s in sealers):
            raise ValueError("a column kept as NULL has nothing to seal")
        self.columns = [(s._padded, s._aad) for s in sealers]
        self.nonces = [slice(i * primitives.NONCE_BYTES, (i + 1) * primitives.NONCE_BYTES)
                       for i in range(len(sealers))]

    def copy_text(self, cipher: AESGCM, row: bytes) -> list[str]:
        """The row's sealed columns; `row` is its crypto_id as 16 bytes (UUID.bytes)."""
        random = os.urandom(primitives.NONCE_BYTES * len(self.columns))
        return ["\\\\x" + primitives.seal_padded(cipher, padded, aad + row, random[where]).hex()
                for (padded, aad), where in zip(self.columns, self.nonces, strict=True)]


def new_wrapped_data_key() -> tuple[uuid.UUID, bytes, str, AESGCM]:
    """A data key for a row written in bulk: (DataKey id, wrapped key, master key id, cipher), what
    DataKey.generate() makes, without a model instance per key."""
    key_id = uuid.uuid4()
    raw = primitives.new_data_key()
    wrapped, master_key_id = primitives.wrap_data_key(raw, data_key_id=key_id, ring=master_keyring())
    return key_id, wrapped, master_key_id, AESGCM(raw)
