"""The kit's settings are declared in protect/settings.py, from the environment, and a bad value
stops the start with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PROTECT_", "DJANGO_"))}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean | env,
                          capture_output=True, text=True)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PROTECT_PUBLIC_REQUESTS_PER_MINUTE", "lots", "PROTECT_PUBLIC_REQUESTS_PER_MINUTE='lots' is not an integer"),
    ("PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE", "0", "PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE=0 is below the minimum 1"),
    ("PROTECT_PUBLIC_FORM_MIN_SECONDS", "-1", "PROTECT_PUBLIC_FORM_MIN_SECONDS=-1 is below the minimum 0"),
    ("PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS", "2h", "PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS='2h' is not an integer"),
    ("PROTECT_PUBLIC_STATUS_MINUTES", "0", "PROTECT_PUBLIC_STATUS_MINUTES=0 is below the minimum 1"),
])
def test_a_bad_value_stops_the_start_naming_the_variable(name, value, message):
    result = _check(**{name: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_a_minimum_fill_time_that_no_form_could_meet_stops_the_start():
    result = _check(PROTECT_PUBLIC_FORM_MIN_SECONDS="7200", PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS="7200")

    assert result.returncode != 0
    assert "PROTECT_PUBLIC_FORM_MIN_SECONDS must be below PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS" in result.stderr


def test_good_values_are_read_from_the_environment():
    code = ("from django.conf import settings as s; print(s.PROTECT_PUBLIC_REQUESTS_PER_MINUTE, "
            "s.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE, s.PROTECT_PUBLIC_FORM_MIN_SECONDS, "
            "s.PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS, s.PROTECT_PUBLIC_STATUS_MINUTES)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PROTECT_", "DJANGO_"))}
    env = clean | {"PROTECT_PUBLIC_REQUESTS_PER_MINUTE": "7", "PROTECT_PUBLIC_FORM_MIN_SECONDS": "0",
                   "PROTECT_PUBLIC_STATUS_MINUTES": "5"}
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["7", "60", "0", "7200", "5"]  # after shell's own notice


def test_no_module_reads_the_public_settings_with_a_default():
    """One place declares them; a `getattr(settings, …, default)` elsewhere would hide a typo."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("protect", "grants", "relocation", "alerts")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "settings.py" and 'getattr(settings, "PROTECT_PUBLIC' in path.read_text()
    ]
    assert offenders == []
