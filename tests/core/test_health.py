"""/healthz says which dependency is down and nothing more."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from protect.core import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_worker_when_none_answers(client, monkeypatch):
    monkeypatch.setattr(health, "WORKER_TIMEOUT_SECONDS", 0.5)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "up", "broker": "up", "worker": "down"}


def test_broker_check_says_down_when_redis_is_unreachable(test_database_url):
    # A separate process: swapping the broker of this process would poison its connection pools.
    code = "import django; django.setup(); from protect.core import health; print(health.check_all())"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DATABASE_URL": test_database_url,
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "{'database': True, 'broker': False, 'worker': False}"


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    with override_settings():
        assert client.post("/healthz").status_code == 405
