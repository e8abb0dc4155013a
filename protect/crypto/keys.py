"""The master key ring and the blind-index key: parsing, validation, loading and demo generation.

`PROTECT_MASTER_KEYS` is `id1:base64key,id2:base64key` with 32-byte AES keys. The first key wraps
new data keys and re-wraps old ones on rotation; every key in the ring can unwrap (a wrapped data
key records the id of the key that wrapped it). `PROTECT_BLIND_INDEX_KEY` is one base64 HMAC key
of at least 32 bytes. Both may come from `*_FILE` (protect.env.env_str).

Outside production, when a variable is unset, a key is generated on first use into
`PROTECT_KEYS_DIR` (var/keys/, git-ignored) and reused, so the demo and the tests run with no setup;
production refuses to start without them (settings.py). A malformed value stops the process at
start with a message naming the variable and the entry, never the key itself.

settings.py imports this module to validate the variables, so it must import nothing from Django
but exceptions and the lazy settings object.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MASTER_KEYS_VARIABLE = "PROTECT_MASTER_KEYS"
BLIND_INDEX_VARIABLE = "PROTECT_BLIND_INDEX_KEY"
MASTER_KEY_BYTES = 32
BLIND_INDEX_MIN_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MASTER_KEYS_FILE_NAME = "master_keys"
BLIND_INDEX_FILE_NAME = "blind_index_key"


@dataclass(frozen=True)
class MasterKeyRing:
    """Master keys in order; the first one is the primary (wraps). Holds ready AES-GCM objects."""

    ids: tuple[str, ...]
    _ciphers: dict[str, AESGCM] = field(repr=False, compare=False)

    @property
    def primary_id(self) -> str:
        return self.ids[0]

    def cipher(self, key_id: str) -> AESGCM | None:
        return self._ciphers.get(key_id)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._ciphers


def _decode_key(encoded: str, *, variable: str, what: str) -> bytes:
    try:
        return base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{variable}: {what} is not valid base64.") from exc


def parse_key_ring(raw: str, *, variable: str) -> list[tuple[str, bytes]]:
    """`id1:base64,id2:base64` → [(id, key bytes)] in order, or ImproperlyConfigured naming the
    variable (never a key). Every key ring (master keys, audit keys) is written this way."""
    entries = [entry.strip() for entry in raw.replace("\n", ",").split(",") if entry.strip()]
    if not entries:
        raise ImproperlyConfigured(f"{variable} is empty: give at least one key as id:base64key.")
    ring: list[tuple[str, bytes]] = []
    for position, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not encoded.strip():
            raise ImproperlyConfigured(f"{variable}: entry {position} is not of the form id:base64key.")
        if not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{variable}: entry {position} has the key id {key_id[:40]!r}; use 1-32 letters, digits, - or _."
            )
        if any(key_id == seen for seen, _key in ring):
            raise ImproperlyConfigured(f"{variable}: the key id {key_id!r} appears twice.")
        ring.append((key_id, _decode_key(encoded, variable=variable, what=f"the key {key_id!r}")))
    return ring


def parse_master_keys(raw: str, *, variable: str = MASTER_KEYS_VARIABLE) -> MasterKeyRing:
    """`id1:base64,id2:base64` → MasterKeyRing, or ImproperlyConfigured naming the variable."""
    ring = parse_key_ring(raw, variable=variable)
    for key_id, key in ring:
        if len(key) != MASTER_KEY_BYTES:
            raise ImproperlyConfigured(
                f"{variable}: the key {key_id!r} is {len(key)} bytes; master keys must be exactly "
                f"{MASTER_KEY_BYTES} bytes (base64 of 32 random bytes)."
            )
    return MasterKeyRing(ids=tuple(key_id for key_id, _key in ring),
                         _ciphers={key_id: AESGCM(key) for key_id, key in ring})


def parse_blind_index_key(raw: str, *, variable: str = BLIND_INDEX_VARIABLE) -> bytes:
    if not raw.strip():
        raise ImproperlyConfigured(f"{variable} is empty.")
    key = _decode_key(raw, variable=variable, what="the key")
    if len(key) < BLIND_INDEX_MIN_BYTES:
        raise ImproperlyConfigured(
            f"{variable}: the key is {len(key)} bytes; it must be at least {BLIND_INDEX_MIN_BYTES} bytes (base64)."
        )
    return key


def check_key_settings(*, master_keys: str, blind_index_key: str, production: bool) -> None:
    """Called by settings.py: refuse to start with a missing (production) or malformed key."""
    if production and not master_keys:
        raise ImproperlyConfigured(
            f"{MASTER_KEYS_VARIABLE} must be set in production (or {MASTER_KEYS_VARIABLE}_FILE): "
            "id:base64key of 32 random bytes, e.g. from `manage.py new_master_key`."
        )
    if production and not blind_index_key:
        raise ImproperlyConfigured(
            f"{BLIND_INDEX_VARIABLE} must be set in production (or {BLIND_INDEX_VARIABLE}_FILE): "
            "base64 of at least 32 random bytes, e.g. from `manage.py new_master_key --blind-index`."
        )
    if master_keys:
        parse_master_keys(master_keys)
    if blind_index_key:
        parse_blind_index_key(blind_index_key)


def new_master_key_entry(key_id: str) -> str:
    """A fresh ring entry `id:base64key`, for operators (manage.py new_master_key) and tests."""
    if not _KEY_ID.match(key_id):
        raise ValueError("key id: use 1-32 letters, digits, - or _")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(MASTER_KEY_BYTES)).decode()}"


def new_blind_index_key() -> str:
    return base64.b64encode(secrets.token_bytes(BLIND_INDEX_MIN_BYTES)).decode()


# --- Loading (cached per process, reloaded when the settings change in tests) ----------------

_lock = threading.Lock()
_cache: dict[str, object] = {}


def _generated(path: Path, make: str) -> str:
    """Read the demo key file, creating it (0600, in a 0700 folder) if it does not exist yet.

    O_EXCL makes the first of several processes starting together (web, worker, beat) the one
    that writes; the others read what it wrote."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the writer may not have finished its single write yet
            text = path.read_text().strip()
            if text:
                return text
            time.sleep(0.02)
        raise ImproperlyConfigured(f"{path} is empty: delete it to generate a new demo key.") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(make + "\n")
    return make


def _load(cache_key: str, variable: str, setting: Callable[[], str], file_name: str, parse: Callable[..., Any],
          make: Callable[[], str]) -> Any:
    """A key from the setting `variable` (read by `setting`), parsed once; outside production, a
    generated one kept in the keys dir. The setting is read only then: every row of a page asks
    for the ring, once per data key, and reading the settings on each call cost a noticeable part
    of an unwrap."""
    cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    with _lock:
        raw = setting()
        if raw:
            value = parse(raw)
        elif settings.PRODUCTION:
            raise ImproperlyConfigured(f"{variable} must be set in production.")
        else:
            path = Path(settings.PROTECT_KEYS_DIR) / file_name
            value = parse(_generated(path, make()), variable=str(path))
        _cache[cache_key] = value
        return value


def master_keyring() -> MasterKeyRing:
    """The ring from settings; outside production, the generated demo ring when unset."""
    ring: MasterKeyRing = _load("ring", MASTER_KEYS_VARIABLE, lambda: settings.PROTECT_MASTER_KEYS,
                                MASTER_KEYS_FILE_NAME, parse_master_keys, lambda: new_master_key_entry("demo1"))
    return ring


def blind_index_key() -> bytes:
    key: bytes = _load("blind", BLIND_INDEX_VARIABLE, lambda: settings.PROTECT_BLIND_INDEX_KEY,
                       BLIND_INDEX_FILE_NAME, parse_blind_index_key, new_blind_index_key)
    return key


def reset_key_cache(**_: object) -> None:
    """Forget the loaded keys (connected to setting_changed, so override_settings reloads them)."""
    with _lock:
        _cache.clear()
