"""Fixtures for the defender tests (the cast lives in tests/defenders/cast.py, shared with tests/crypto)."""

from tests.defenders.cast import caseworker, coordinator, files_dir, other_caseworker, outsider  # noqa: F401
