"""Settings refuse bad values loudly; production settings pass Django's deploy checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from protect import env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PROTECT_ENV": "production",
    "DJANGO_SECRET_KEY": "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
    "DJANGO_ALLOWED_HOSTS": "protect.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/protect",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    # protect.crypto: a fixed test ring and blind-index key (32 bytes each, base64); never real keys.
    "PROTECT_MASTER_KEYS": "test1:" + "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMtISE=",
    "PROTECT_BLIND_INDEX_KEY": "dGVzdC1vbmx5LWJsaW5kLWluZGV4LWtleS0zMmJ5dGU=",
    # protect.audit: a fixed test audit key (32 bytes, base64); never a real key.
    "PROTECT_AUDIT_KEY": "a1:" + "dGVzdC1vbmx5LWF1ZGl0LWNoYWluLWtleS0zMmJ5dGU=",
}


def _run_manage(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROTECT_", "DJANGO_"))} | env_overrides
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("helper", "value", "message"),
    [
        (lambda: env.env_int("X_TEST_INT", 1), "ten", "is not an integer"),
        (lambda: env.env_bool("X_TEST_INT", True), "maybe", "is not a boolean"),
        (lambda: env.env_int("X_TEST_INT", 1, minimum=5), "2", "below the minimum"),
        (lambda: env.env_mapping("X_TEST_INT", "a:1"), "a=1", "must look like 'key:value"),
    ],
)
def test_helpers_refuse_a_bad_value_naming_the_variable(monkeypatch, helper, value, message):
    monkeypatch.setenv("X_TEST_INT", value)
    with pytest.raises(ImproperlyConfigured, match=f"X_TEST_INT.*{message}"):
        helper()


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv("X_TEST_SECRET_FILE", str(secret))
    assert env.env_str("X_TEST_SECRET") == "from-the-file"


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = _run_manage(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_misspelt_environment_is_refused():
    result = _run_manage({"PROTECT_ENV": "prod"}, "check")
    assert result.returncode != 0
    assert "PROTECT_ENV='prod' must be one of" in result.stderr


def test_deploy_check_prints_no_warning_with_production_settings():
    result = _run_manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PROTECT_TOTP_THROTTLE_FACTOR", "0", "PROTECT_TOTP_THROTTLE_FACTOR=0 is below the minimum 1"),
        ("PROTECT_RECOVERY_CODE_THROTTLE_FACTOR", "often", "PROTECT_RECOVERY_CODE_THROTTLE_FACTOR='often' is not an integer"),
        ("PROTECT_TOTP_SYNC", "maybe", "PROTECT_TOTP_SYNC='maybe' is not a boolean"),
        ("PROTECT_TOTP_ISSUER", "Protect:EU", "PROTECT_TOTP_ISSUER cannot contain ':'"),
    ],
)
def test_a_bad_second_factor_setting_stops_startup_naming_the_variable(variable, value, message):
    result = _run_manage({"PROTECT_ENV": "test", variable: value}, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_the_core_reads_no_setting_with_a_default_of_its_own():
    """A setting read as getattr(settings, NAME, default) escapes the checks at start and may carry
    a second default: the core reads settings.NAME, declared once in settings.py."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "protect").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "getattr(settings," in line
    ]
    assert offenders == []
