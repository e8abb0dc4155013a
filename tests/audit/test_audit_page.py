"""The coordinators' audit page lists events in plain words and verifies the chain on demand."""

import pytest
from django.db import connection

from protect.audit.models import AuditEvent
from protect.audit.services import log_event
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def test_a_coordinator_reads_the_log_and_sees_the_chain_intact(client, coordinator):
    log_event("grants.grant.approve", actor=coordinator, data={"amount_minor": 100})
    login_verified(client, coordinator)
    page = client.get("/audit/?verify=1").content.decode()
    assert "elif approve" in page and "Chain intact" in page and "grants.grant.approve</" not in page


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
    assert "system created" in page and "system approve" not in page


# --- issue 8, item 13: reading the log and verifying it are on the record ----------------------


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_reading_the_log_is_audited_without_the_filter_text(client, coordinator):
    login_verified(client, coordinator)
    client.get("/audit/")
    client.get("/audit/?action=defenders.defender.Kestrel&before=40")
    first, second = _events("audit.log.viewed")
    assert (first.actor_id, first.data) == (coordinator.pk, {"filtered": False, "before": None})
    assert (second.actor_id, second.data) == (coordinator.pk, {"filtered": True, "before": 40})
    assert "Kestrel" not in str(second.data)


def test_the_reader_sees_their_own_read_on_the_page(client, coordinator):
    login_verified(client, coordinator)
    page = client.get("/audit/").content.decode()
    assert "elif read the audit log" in page


def test_verifying_the_chain_is_audited_with_its_result(client, coordinator):
    log_event("tests.thing.happened", data={"n": 1})
    login_verified(client, coordinator)
    client.get("/audit/?verify=1")
    [event] = _events("audit.chain.verified")
    assert event.actor_id == coordinator.pk
    everything_before = AuditEvent.objects.filter(seq__lt=event.seq).count()  # the read of the page included
    assert event.data == {"events": everything_before, "intact": True, "broken_seq": None}
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET data = '{\"n\": 7}' WHERE seq = 1")
        cursor.execute("SET session_replication_role = origin")
    client.get("/audit/?verify=1")
    assert _events("audit.chain.verified")[-1].data["broken_seq"] == 1


def test_someone_refused_the_page_leaves_no_read_event(client, caseworker):
    login_verified(client, caseworker)
    assert client.get("/audit/").status_code == 403
    assert _events("audit.log.viewed") == []
