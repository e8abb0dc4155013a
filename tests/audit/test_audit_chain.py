"""The audit log is append-only and its hash chain exposes any edit, deletion or reordering."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from protect.audit.models import AppendOnlyError, AuditEvent
from protect.audit.services import log_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events(django_user_model):
    user = django_user_model.objects.create_user(username="auditor-subject", password="x" * 16)
    return [log_event("tests.thing.happened", actor=user, target=user, data={"n": n}) for n in range(5)]


def _raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _without_trigger(sql, params=None):
    # What an attacker with database superuser rights could do: the chain must still tell.
    _raw("SET session_replication_role = replica")  # superuser only: user triggers stop firing
    try:
        _raw(sql, params)
    finally:
        _raw("SET session_replication_role = origin")


def _verify():
    call_command("verify_audit")


def test_intact_chain_verifies(five_events, capsys):
    _verify()
    assert "5 events verified" in capsys.readouterr().out
    assert [e.seq for e in AuditEvent.objects.all()] == [1, 2, 3, 4, 5]


def test_database_refuses_update_and_delete(five_events):
    for sql in ("UPDATE audit_auditevent SET action = 'x.y.z' WHERE seq = 2", "DELETE FROM audit_auditevent WHERE seq = 2"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql)


def test_orm_refuses_update_and_delete(five_events):
    event = five_events[0]
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(action="a.b.c")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_edited_row_is_named(five_events):
    _without_trigger("UPDATE audit_auditevent SET data = '{\"n\": 99}' WHERE seq = 3")
    with pytest.raises(CommandError, match=r"#3 .*edited"):
        _verify()


def test_deleted_row_is_named(five_events):
    _without_trigger("DELETE FROM audit_auditevent WHERE seq = 2")
    with pytest.raises(CommandError, match=r"#3 .*missing"):
        _verify()


def test_swapped_rows_are_named(five_events):
    _without_trigger("UPDATE audit_auditevent SET seq = -4 WHERE seq = 4")
    _without_trigger("UPDATE audit_auditevent SET seq = 4 WHERE seq = 3")
    _without_trigger("UPDATE audit_auditevent SET seq = 3 WHERE seq = -4")
    with pytest.raises(CommandError, match=r"#3 .*link broken"):
        _verify()


def test_swapped_contents_are_named(five_events):
    _without_trigger(
        "UPDATE audit_auditevent a SET data = b.data FROM audit_auditevent b WHERE a.seq = 4 AND b.seq = 5"
    )
    with pytest.raises(CommandError, match=r"#4 "):
        _verify()


def test_sensitive_objects_cannot_be_logged_as_data(five_events):
    with pytest.raises(TypeError):
        log_event("tests.thing.happened", data={"defender": object()})
    with pytest.raises(ValueError, match="dotted"):
        log_event("approved")


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    errors = []

    def append(n):
        try:
            for i in range(5):
                with transaction.atomic():
                    log_event("tests.thing.happened", data={"thread": n, "i": i})
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.count() == 40
    _verify()


def test_an_event_rolled_back_with_its_change_leaves_no_trace(five_events):
    with pytest.raises(RuntimeError), transaction.atomic():
        log_event("tests.thing.happened", data={"n": 100})
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 5
    _verify()
