"""List pages outside the case queue run a constant number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protect.audit.services import log_event
from tests.helpers import login_verified, make_user

pytestmark = pytest.mark.django_db


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_audit_page_costs_the_same_for_few_and_many_events(client, coordinator):
    login_verified(client, coordinator)
    for n in range(3):
        log_event("tests.thing.happened", actor=coordinator, data={"n": n})
    few = _queries(client, "/audit/")
    for n in range(40):
        log_event("tests.thing.happened", actor=make_user(f"actor{n}"), data={"n": n})
    assert _queries(client, "/audit/") == few


def test_the_users_page_costs_the_same_for_few_and_many_accounts(client, coordinator):
    login_verified(client, coordinator)
    few = _queries(client, "/accounts/users/")
    for n in range(25):
        make_user(f"staff{n}", "caseworker")
    assert _queries(client, "/accounts/users/") == few

