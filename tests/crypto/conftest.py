"""Fixtures for the crypto tests: the cast of tests/defenders/cast.py and fresh master key rings."""

from __future__ import annotations

from typing import Any

import pytest

from protect.crypto.keys import new_blind_index_key, new_master_key_entry
from tests.defenders.cast import caseworker, coordinator, files_dir, other_caseworker, outsider  # noqa: F401


@pytest.fixture
def ring(settings: Any) -> dict[str, str]:
    """A fresh ring of one key ("old"), installed in settings; returns entries to build new rings."""
    entries = {"old": new_master_key_entry("old"), "new": new_master_key_entry("new")}
    settings.PROTECT_MASTER_KEYS = entries["old"]
    settings.PROTECT_BLIND_INDEX_KEY = new_blind_index_key()
    return entries
