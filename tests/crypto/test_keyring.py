"""The master key ring and the blind-index key: refused when wrong, generated for the demo, unwrapping rules."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from protect.crypto import primitives
from protect.crypto.errors import DecryptionError
from protect.crypto.keys import (
    master_keyring,
    new_master_key_entry,
    parse_blind_index_key,
    parse_master_keys,
    reset_key_cache,
)
from tests.core.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
GOOD = base64.b64encode(b"k" * 32).decode()


def _manage(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROTECT_", "DJANGO_"))} | env_overrides
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("k1:not*base64", "the key 'k1' is not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "the key 'k1' is 5 bytes"),
        (f"k1:{GOOD},k1:{GOOD}", "the key id 'k1' appears twice"),
        (GOOD, "entry 1 is not of the form id:base64key"),
        (f"bad id:{GOOD}", "entry 1 has the key id 'bad id'"),
        (" , ", "is empty"),
    ],
)
def test_a_malformed_master_key_ring_is_refused_naming_the_variable(raw, message):
    with pytest.raises(ImproperlyConfigured, match="PROTECT_MASTER_KEYS") as caught:
        parse_master_keys(raw)
    assert message in str(caught.value)
    assert GOOD not in str(caught.value)  # never echo key material


@pytest.mark.parametrize("raw", ["***", base64.b64encode(b"x" * 31).decode()])
def test_a_short_or_malformed_blind_index_key_is_refused(raw):
    with pytest.raises(ImproperlyConfigured, match="PROTECT_BLIND_INDEX_KEY"):
        parse_blind_index_key(raw)


def test_the_first_key_wraps_and_every_key_of_the_ring_unwraps():
    old, new = new_master_key_entry("old"), new_master_key_entry("new")
    key_id = uuid.uuid4()
    raw = primitives.new_data_key()
    blob, wrapped_by = primitives.wrap_data_key(raw, data_key_id=key_id, ring=parse_master_keys(old))
    assert wrapped_by == "old" and primitives.wrapped_key_id(blob) == "old"
    rotated = parse_master_keys(f"{new},{old}")
    assert rotated.primary_id == "new"
    assert primitives.unwrap_data_key(blob, data_key_id=key_id, ring=rotated) == raw


def test_unwrapping_without_the_wrapping_key_says_which_key_is_missing():
    key_id = uuid.uuid4()
    k1 = parse_master_keys(new_master_key_entry("k1"))
    blob, _ = primitives.wrap_data_key(b"d" * 32, data_key_id=key_id, ring=k1)
    with pytest.raises(DecryptionError, match="wrapped by master key 'k1', which is not in PROTECT_MASTER_KEYS"):
        primitives.unwrap_data_key(blob, data_key_id=key_id, ring=parse_master_keys(new_master_key_entry("k2")))


def test_unwrapping_with_a_different_key_under_the_same_id_fails_clearly():
    key_id = uuid.uuid4()
    k1 = parse_master_keys(new_master_key_entry("k1"))
    blob, _ = primitives.wrap_data_key(b"d" * 32, data_key_id=key_id, ring=k1)
    impostor = parse_master_keys(new_master_key_entry("k1"))
    with pytest.raises(DecryptionError, match="could not be unwrapped with master key 'k1'"):
        primitives.unwrap_data_key(blob, data_key_id=key_id, ring=impostor)


def test_a_wrapped_key_copied_to_another_data_key_row_does_not_unwrap():
    ring = parse_master_keys(new_master_key_entry("k1"))
    blob, _ = primitives.wrap_data_key(b"d" * 32, data_key_id=uuid.uuid4(), ring=ring)
    with pytest.raises(DecryptionError):
        primitives.unwrap_data_key(blob, data_key_id=uuid.uuid4(), ring=ring)


def test_outside_production_a_missing_ring_is_generated_once_and_reused(settings, tmp_path):
    settings.PROTECT_KEYS_DIR = tmp_path / "keys"
    settings.PROTECT_MASTER_KEYS = ""
    first = master_keyring()
    path = tmp_path / "keys" / "master_keys"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    reset_key_cache()
    again = master_keyring()
    assert again.ids == first.ids
    blob, _ = primitives.wrap_data_key(b"d" * 32, data_key_id=(kid := uuid.uuid4()), ring=first)
    assert primitives.unwrap_data_key(blob, data_key_id=kid, ring=again) == b"d" * 32


def test_manage_check_refuses_to_start_with_a_malformed_master_key():
    result = _manage({"PROTECT_ENV": "test", "PROTECT_MASTER_KEYS": "k1:c2hvcnQ="}, "check")
    assert result.returncode != 0
    assert "PROTECT_MASTER_KEYS: the key 'k1' is 5 bytes; master keys must be exactly 32 bytes" in result.stderr


def test_manage_check_refuses_to_start_with_duplicate_key_ids():
    result = _manage({"PROTECT_ENV": "test", "PROTECT_MASTER_KEYS": f"a:{GOOD},a:{GOOD}"}, "check")
    assert result.returncode != 0
    assert "PROTECT_MASTER_KEYS: the key id 'a' appears twice." in result.stderr


def test_manage_check_refuses_a_malformed_blind_index_key():
    result = _manage({"PROTECT_ENV": "test", "PROTECT_BLIND_INDEX_KEY": "c2hvcnQ="}, "check")
    assert result.returncode != 0
    assert "PROTECT_BLIND_INDEX_KEY: the key is 5 bytes; it must be at least 32 bytes" in result.stderr


def test_manage_check_reports_a_corrupt_demo_key_file(tmp_path):
    (tmp_path / "master_keys").write_text("demo1:????\n")
    result = _manage({"PROTECT_ENV": "demo", "PROTECT_KEYS_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "crypto.E001" in result.stderr and "is not valid base64" in result.stderr


@pytest.mark.parametrize("missing", ["PROTECT_MASTER_KEYS", "PROTECT_BLIND_INDEX_KEY"])
def test_production_refuses_to_start_without_the_keys(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage(env, "check")
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr
