"""AES-GCM building blocks: wrapping data keys under the master ring, sealing values under a data key.

Formats (all integers big-endian):

- wrapped data key: `01 | len(kid) | kid | nonce(12) | AES-GCM(master[kid], data key)`,
  associated data `protect.datakey.v1 | data key uuid | 01 | len(kid) | kid`, so a wrapped key
  copied onto another DataKey row, or relabelled with another key id, does not unwrap.
- sealed value: `01 | nonce(12) | AES-GCM(data key, padded plaintext)`, with associated data
  chosen by the caller (fields.py binds table, column and row).

Plaintext is padded (ISO/IEC 7816-4: 0x80 then zeros) to a multiple of 32 bytes before sealing, so
the length of a ciphertext tells the length of a name or note only to within 32 bytes.
"""

from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecryptionError
from .keys import MasterKeyRing

NONCE_BYTES = 12
TAG_BYTES = 16
DATA_KEY_BYTES = 32
PAD_BLOCK = 32
SEALED_VERSION = 1
WRAP_VERSION = 1
SEALED_VERSION_BYTE = bytes([SEALED_VERSION])
_WRAP_AAD = b"protect.datakey.v1\x00"


def new_data_key() -> bytes:
    return os.urandom(DATA_KEY_BYTES)


def wrap_data_key(raw: bytes, *, data_key_id: uuid.UUID, ring: MasterKeyRing) -> tuple[bytes, str]:
    """Wrap under the ring's primary key. Returns (blob, master key id)."""
    key_id = ring.primary_id
    cipher = ring.cipher(key_id)
    assert cipher is not None
    header = bytes([WRAP_VERSION, len(key_id)]) + key_id.encode("ascii")
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + cipher.encrypt(nonce, raw, _WRAP_AAD + data_key_id.bytes + header), key_id


def wrapped_key_id(blob: bytes) -> str:
    """The id of the master key a blob was wrapped with (read from the blob itself)."""
    if len(blob) < 2 or blob[0] != WRAP_VERSION or len(blob) < 2 + blob[1]:
        raise DecryptionError("A data key is damaged: its wrapping header is not readable.")
    return blob[2 : 2 + blob[1]].decode("ascii", errors="replace")


def unwrap_data_key(blob: bytes, *, data_key_id: uuid.UUID, ring: MasterKeyRing) -> bytes:
    key_id = wrapped_key_id(blob)
    cipher = ring.cipher(key_id)
    if cipher is None:
        raise DecryptionError(
            f"Data key {data_key_id} is wrapped by master key {key_id!r}, which is not in PROTECT_MASTER_KEYS: "
            "put the old key back in the ring (after the new one) until rotate_master_key has run."
        )
    header_len = 2 + blob[1]
    header, rest = blob[:header_len], blob[header_len:]
    nonce, wrapped = rest[:NONCE_BYTES], rest[NONCE_BYTES:]
    try:
        raw = cipher.decrypt(nonce, wrapped, _WRAP_AAD + data_key_id.bytes + header)
    except InvalidTag:
        raise DecryptionError(
            f"Data key {data_key_id} could not be unwrapped with master key {key_id!r}: the key under that id "
            "is not the one that wrapped it, or the wrapped key was altered."
        ) from None
    if len(raw) != DATA_KEY_BYTES:
        raise DecryptionError(f"Data key {data_key_id} unwrapped to a key of the wrong length.")
    return raw


def pad(data: bytes) -> bytes:
    return data + b"\x80" + b"\x00" * ((-len(data) - 1) % PAD_BLOCK)


def seal(cipher: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    return seal_padded(cipher, pad(plaintext), SEALED_VERSION_BYTE + aad)


def seal_padded(cipher: AESGCM, padded: bytes, versioned_aad: bytes, nonce: bytes | None = None) -> bytes:
    """seal() with the padding and the version byte of the associated data done by the caller: a
    bulk loader sealing one value for many rows pads it once, and draws the random nonces of a
    row's columns in one call (protect.crypto.bulk). A nonce is never reused under a key."""
    nonce = nonce or os.urandom(NONCE_BYTES)
    return versioned_aad[:1] + nonce + cipher.encrypt(nonce, padded, versioned_aad)


def unseal(cipher: AESGCM, blob: bytes, aad: bytes) -> bytes:
    """Open a sealed value; InvalidTag (wrong key, wrong AAD, altered bytes) → DecryptionError."""
    return unseal_versioned(cipher, blob, SEALED_VERSION_BYTE + aad)


def unseal_versioned(cipher: AESGCM, blob: bytes, versioned_aad: bytes) -> bytes:
    """unseal() with the version byte of the associated data put there by the caller (an encrypted
    field keeps it in its column's prefix): a page of 50 rows opens some 300 values, and each step
    of Python around an open costs a fifth of the open itself. Unpads in line, for the same reason."""
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[0] != SEALED_VERSION:
        raise DecryptionError("An encrypted value is damaged: it is too short or of an unknown version.")
    try:
        padded = cipher.decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], versioned_aad)
    except InvalidTag:
        raise DecryptionError(
            "An encrypted value failed its integrity check: it was altered, moved from another record or "
            "column, or the data key is wrong."
        ) from None
    stripped = padded.rstrip(b"\x00")  # ISO/IEC 7816-4: the last byte not zero is the 0x80 marker
    if not stripped or stripped[-1] != 0x80:
        raise DecryptionError("A decrypted value has invalid padding.")
    return stripped[:-1]
