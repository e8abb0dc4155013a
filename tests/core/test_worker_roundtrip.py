"""A real worker, on real Redis, answers protect.ping."""

import pytest

from protect.core.tasks import ping

pytestmark = pytest.mark.worker


@pytest.mark.django_db(transaction=True)
def test_ping_goes_through_redis_to_a_worker_and_back(celery_worker_process):
    assert ping.delay().get(timeout=10) == "pong"


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_everything_up_with_a_worker(client, celery_worker_process):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "broker": "up", "worker": "up"}
