"""`bin/demo` runs on SQLite with no server: every migration applies there and the demo seeds.

A migration written for PostgreSQL alone (raw ALTER TABLE, a trigger) must say so and step aside on
SQLite; this test runs the demo's own two commands in a subprocess against a fresh SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_migration_applies_on_sqlite_and_the_demo_seeds(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PROTECT_ENV"}}
    env |= {"PROTECT_ENV": "demo", "PROTECT_VAR_DIR": str(tmp_path), "PROTECT_KEYS_DIR": str(tmp_path / "keys"),
            "PROTECT_FILES_DIR": str(tmp_path / "files"), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    assert "Demo data loaded." in done.stdout
