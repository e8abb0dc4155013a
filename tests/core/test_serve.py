"""bin/serve runs the production-like stack (gunicorn, worker, beat) without Docker."""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

from tests.core.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_role_url(test_database_url):
    """DATABASE_URL of a fresh application role (no password: the test server trusts the loopback)."""
    role = f"protect_app_serve_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    url = urlparse(test_database_url)
    yield url._replace(netloc=f"{role}@{url.hostname}:{url.port or 5432}").geturl()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def _serve_env(port, tmp_path, **database_urls):
    return os.environ | {
        "PROTECT_ENV": "production",
        "DJANGO_SECRET_KEY": "serve-test-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # protect.crypto and protect.audit refuse to start in production without their keys (test-only values).
        "PROTECT_MASTER_KEYS": PRODUCTION_ENV["PROTECT_MASTER_KEYS"],
        "PROTECT_BLIND_INDEX_KEY": PRODUCTION_ENV["PROTECT_BLIND_INDEX_KEY"],
        "PROTECT_AUDIT_KEY": PRODUCTION_ENV["PROTECT_AUDIT_KEY"],
        **database_urls,
        "PROTECT_BIND": f"127.0.0.1:{port}",
        "PROTECT_VAR_DIR": str(tmp_path),
        "PROTECT_TASK_QUEUE": f"protect-serve-{port}",
        "WEB_CONCURRENCY": "1",
        "WORKER_CONCURRENCY": "1",
    }


def test_bin_serve_starts_web_worker_and_beat_and_stops_on_sigterm(test_database_url, app_role_url, tmp_path):
    # Migrations run as the owner (here the test superuser), the stack as the application's role.
    port = _free_port()
    env = _serve_env(port, tmp_path, DATABASE_URL=app_role_url, PROTECT_MIGRATE_DATABASE_URL=test_database_url)
    log = open(tmp_path / "serve.log", "wb")
    serve = subprocess.Popen(["bash", "bin/serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
    try:
        body, deadline = None, time.monotonic() + 90
        while time.monotonic() < deadline and serve.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(1)
        assert body is not None, (tmp_path / "serve.log").read_text()[-3000:]
        assert '"worker": "up"' in body and '"broker": "up"' in body and '"database": "up"' in body
        beat_log = (tmp_path / "serve.log").read_text()
        assert "beat: Starting" in beat_log
        with connection.cursor() as cursor:  # the web process answered as the application's role
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", [urlparse(app_role_url).username])
            assert cursor.fetchone()[0] > 0
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            raise
        log.close()
    leftovers = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout.split()
    assert leftovers == []


@pytest.mark.parametrize("database_urls", ["one role for everything", "no migration role"])
def test_bin_serve_refuses_to_run_production_as_a_role_that_could_rewrite_the_audit_log(
        test_database_url, tmp_path, database_urls):
    urls = {"DATABASE_URL": test_database_url}
    if database_urls == "one role for everything":
        urls["PROTECT_MIGRATE_DATABASE_URL"] = test_database_url
    result = subprocess.run(["bash", "bin/serve"], cwd=ROOT, env=_serve_env(_free_port(), tmp_path, **urls),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    expected = "could rewrite the audit log" if "PROTECT_MIGRATE_DATABASE_URL" in urls else "PROTECT_MIGRATE_DATABASE_URL must"
    assert expected in result.stderr
