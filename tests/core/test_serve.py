"""bin/serve runs the production-like stack (gunicorn, worker, beat) without Docker."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_bin_serve_starts_web_worker_and_beat_and_stops_on_sigterm(test_database_url, tmp_path):
    port = _free_port()
    env = os.environ | {
        "PROTECT_ENV": "production",
        "DJANGO_SECRET_KEY": "serve-test-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # protect.crypto refuses to start in production without its keys (test-only values).
        "PROTECT_MASTER_KEYS": PRODUCTION_ENV["PROTECT_MASTER_KEYS"],
        "PROTECT_BLIND_INDEX_KEY": PRODUCTION_ENV["PROTECT_BLIND_INDEX_KEY"],
        "DATABASE_URL": test_database_url,
        "PROTECT_BIND": f"127.0.0.1:{port}",
        "PROTECT_VAR_DIR": str(tmp_path),
        "PROTECT_TASK_QUEUE": f"protect-serve-{port}",
        "WEB_CONCURRENCY": "1",
        "WORKER_CONCURRENCY": "1",
    }
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
