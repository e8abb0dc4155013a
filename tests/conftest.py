"""The shared cast (one user per role, a caseworker of another team, an outsider) and the
real-worker fixture for the whole suite."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from protect.accounts.roles import Role
from tests.helpers import make_user


def _database_url_for_test_db() -> str:
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the real-worker tests need PostgreSQL (run them through bin/test)")
    host = s["HOST"] or "127.0.0.1"
    user = s["USER"] or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def test_database_url(django_db_setup, django_db_blocker) -> str:
    """DATABASE_URL of the test database, for processes the tests start."""
    with django_db_blocker.unblock():
        return _database_url_for_test_db()


@pytest.fixture
def celery_worker_process(test_database_url) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker in its own process, on Redis, using the test database (started and
    stopped by tests/outbound.py's Workers, which the delivery tests use for several at once).

    Tests that rely on it must commit their data (transactional_db), as the worker has its own
    connection. One worker per test: transactional tests empty the database between them, and the
    content types Django then recreates get new ids that a longer-lived worker has cached."""
    from django.conf import settings

    from tests.outbound import Workers

    if not os.environ.get("REDIS_URL"):
        pytest.skip("the real-worker tests need REDIS_URL (run them through bin/test)")
    pool = Workers(test_database_url, settings.CELERY_TASK_DEFAULT_QUEUE)
    yield pool.start()
    pool.stop_all()


@pytest.fixture(autouse=True)
def own_login_minute(monkeypatch) -> int:
    """The global failed-login count lives in the shared cache (Redis), which outlives each test's
    database and is shared with other runs: give every test a minute of its own to count in."""
    import secrets

    from protect.accounts import lockout

    minute = 10**9 + secrets.randbelow(10**9)
    monkeypatch.setattr(lockout, "_clock", lambda: minute * 60.0)
    return minute


# --- the cast -----------------------------------------------------------------------------------


@pytest.fixture
def caseworker(db):
    return make_user("amina", Role.CASEWORKER)


@pytest.fixture
def reviewer(db):
    return make_user("bruno", Role.REVIEWER)


@pytest.fixture
def finance(db):
    return make_user("dalia", Role.FINANCE)


@pytest.fixture
def coordinator(db):
    return make_user("elif", Role.COORDINATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def second_coordinator(db):
    return make_user("farid", Role.COORDINATOR, is_staff=True)


@pytest.fixture
def donor(db):
    return make_user("fund", Role.DONOR)


@pytest.fixture
def partner(db):
    return make_user("ngo", Role.PARTNER)


@pytest.fixture
def host(db):
    return make_user("university", Role.HOST)


@pytest.fixture
def outsider(db):
    return make_user("nobody")


@pytest.fixture
def audit_actions(db):
    """The audit actions written so far, oldest first: call it to read them."""
    from protect.audit.models import AuditEvent

    def actions(prefix: str = "") -> list[str]:
        return list(AuditEvent.objects.filter(action__startswith=prefix).values_list("action", flat=True))

    return actions


@pytest.fixture
def approver(db):
    """A second reviewer: the co-signer for grants above the second-approval threshold."""
    return make_user("chen", Role.REVIEWER)


@pytest.fixture
def team_africa(db, caseworker, coordinator):
    from protect.accounts.models import Team

    team = Team.objects.create(name="Africa desk", region="africa", languages=["en", "fr"], coordinator=coordinator)
    team.members.add(caseworker)
    return team


@pytest.fixture
def caseworker_other_team(db, coordinator):
    """A caseworker of the MENA desk: must never see the Africa desk's cases."""
    from protect.accounts.models import Team

    user = make_user("omar", Role.CASEWORKER)
    team = Team.objects.create(name="MENA desk", region="mena", languages=["ar", "en"], coordinator=coordinator)
    team.members.add(user)
    return user


@pytest.fixture
def americas_caseworker(db, coordinator):
    from protect.accounts.models import Team
    from protect.accounts.roles import Role
    from tests.helpers import make_user

    worker = make_user("carla", Role.CASEWORKER)
    team = Team.objects.create(name="Americas desk", region="americas", languages=["es", "en"],
                               coordinator=coordinator)
    team.members.add(worker)
    return worker
