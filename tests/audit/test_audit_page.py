"""The coordinators' audit page lists events in plain words and verifies the chain on demand."""

import pytest
from django.db import connection

from protect.audit.services import log_event
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def test_a_coordinator_reads_the_log_and_sees_the_chain_intact(client, coordinator):
    log_event("grants.grant.approve", actor=coordinator, data={"amount_minor": 100})
    login_verified(client, coordinator)
    page = client.get("/audit/?verify=1").content.decode()
    assert "grants.grant.approve" in page and "Chain intact" in page


def test_the_page_names_the_first_tampered_event(client, coordinator):
    for n in range(3):
        log_event("tests.thing.happened", data={"n": n})
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET data = '{\"n\": 7}' WHERE seq = 2")
        cursor.execute("SET session_replication_role = origin")
    login_verified(client, coordinator)
    page = client.get("/audit/?verify=1").content.decode()
    assert "Chain BROKEN at event #2" in page


def test_the_action_filter_narrows_the_list(client, coordinator):
    log_event("grants.grant.approve", data={})
    log_event("defenders.defender.created", data={})
    login_verified(client, coordinator)
    page = client.get("/audit/?action=defenders.").content.decode()
    assert "defenders.defender.created" in page and "grants.grant.approve" not in page
