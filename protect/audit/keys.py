"""The audit key ring: the HMAC keys that chain the audit log, kept outside the database.

`PROTECT_AUDIT_KEY` is `id1:base64key,id2:base64key` (each key at least 32 random bytes, e.g. from
`manage.py new_master_key --id a2026`). The first key chains new events; every key in the ring
verifies the events chained with it (each event records its key id). Rotation: put the new key
first, keep the old ones after it, restart. An old key must stay in the ring as long as the events
chained with it are to be verified; the first event under the new key seals everything before it.

Why a key at all: a plain hash chain can be recomputed by whoever can write to the database, with
the project's own code; without the key, a recomputed chain no longer verifies.

Outside production an unset ring is generated into `PROTECT_KEYS_DIR` on first use and reused, like
the master keys (protect.crypto.keys); production refuses to start without it (settings.py).
settings.py imports this module, so it imports nothing from the project but protect.crypto.keys,
which imports nothing from Django but exceptions and the lazy settings object.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from protect.crypto.keys import _generated as generated_key_file  # the demo keys' one file writer
from protect.crypto.keys import new_master_key_entry, parse_key_ring

AUDIT_KEY_VARIABLE = "PROTECT_AUDIT_KEY"
AUDIT_KEY_MIN_BYTES = 32
AUDIT_KEY_FILE_NAME = "audit_key"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class AuditKeyRing:
    """Audit keys, newest first: the first chains new events, all verify."""

    ids: tuple[str, ...]
    _keys: dict[str, bytes] = field(repr=False, compare=False)

    @property
    def primary_id(self) -> str:
        return self.ids[0]

    @property
    def primary_key(self) -> bytes:
        return self._keys[self.ids[0]]

    def key(self, key_id: str) -> bytes | None:
        return self._keys.get(key_id)

    def age(self, key_id: str) -> int:
        """0 for the newest key, 1 for the one before it…; the chain never goes back to an older key."""
        return self.ids.index(key_id)


def parse_audit_keys(raw: str, *, variable: str = AUDIT_KEY_VARIABLE) -> AuditKeyRing:
    """`id1:base64,id2:base64` → AuditKeyRing, or ImproperlyConfigured naming the variable (never a key)."""
    ring = parse_key_ring(raw, variable=variable)
    for key_id, key in ring:
        if len(key) < AUDIT_KEY_MIN_BYTES:
            raise ImproperlyConfigured(
                f"{variable}: the key {key_id!r} is {len(key)} bytes; audit keys must be at least "
                f"{AUDIT_KEY_MIN_BYTES} bytes (e.g. `manage.py new_master_key --id a2026`)."
            )
    return AuditKeyRing(ids=tuple(key_id for key_id, _key in ring), _keys=dict(ring))


def check_audit_key_setting(*, audit_key: str, production: bool) -> None:
    """Called by settings.py: refuse to start with a missing (production) or malformed ring."""
    if production and not audit_key:
        raise ImproperlyConfigured(
            f"{AUDIT_KEY_VARIABLE} must be set in production (or {AUDIT_KEY_VARIABLE}_FILE): "
            "id:base64key of at least 32 random bytes, e.g. from `manage.py new_master_key --id a1`."
        )
    if audit_key:
        parse_audit_keys(audit_key)


_lock = threading.Lock()
_cache: dict[str, AuditKeyRing] = {}


def audit_keyring() -> AuditKeyRing:
    """The ring from settings; outside production, the generated one in the keys dir when unset."""
    ring = _cache.get("ring")
    if ring is not None:
        return ring
    with _lock:
        if settings.PROTECT_AUDIT_KEY:
            ring = parse_audit_keys(settings.PROTECT_AUDIT_KEY)
        elif settings.PRODUCTION:
            raise ImproperlyConfigured(f"{AUDIT_KEY_VARIABLE} must be set in production.")
        else:
            path = Path(settings.PROTECT_KEYS_DIR) / AUDIT_KEY_FILE_NAME
            ring = parse_audit_keys(generated_key_file(path, new_master_key_entry("audit1")), variable=str(path))
        _cache["ring"] = ring
        return ring


def reset_audit_key_cache(**_: object) -> None:
    """Forget the loaded ring (connected to setting_changed, so override_settings reloads it)."""
    with _lock:
        _cache.clear()
