"""Issue 8, item 3: whoever can write to the database can neither recompute the audit chain
(it is keyed by PROTECT_AUDIT_KEY, kept outside the database) nor cut events off its end unseen
(checkpoints kept outside the database); the key rotates like the master keys."""

import base64
import hashlib
import importlib
import json
import secrets

import pytest
from django.apps import apps as global_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from protect.audit import chain
from protect.audit.keys import audit_keyring
from protect.audit.models import AuditEvent
from protect.audit.services import log_event
from tests.core.test_settings import PRODUCTION_ENV, _run_manage

pytestmark = pytest.mark.django_db


def _entry(key_id):
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


@pytest.fixture
def ring_k1(settings):
    settings.PROTECT_AUDIT_KEY = _entry("k1")
    return settings.PROTECT_AUDIT_KEY


@pytest.fixture
def five_events(ring_k1):
    return [log_event("tests.thing.happened", data={"n": n}) for n in range(5)]


def _without_trigger(sql, params=None):
    # What someone with full rights on the database can do (superuser: user triggers stop firing).
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params or [])
        finally:
            cursor.execute("SET session_replication_role = origin")


def _recompute_from(seq, *, key_id, key=None, legacy=False):
    """The attack: rewrite every hash from `seq` on with the project's own chain code."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else chain.GENESIS_HASH
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.key_id = key_id
        if legacy:  # the chain as it was before it was keyed: plain SHA-256
            body = chain.canonical_of(event)
            new = hashlib.sha256(prev.encode() + b"\n" + body).hexdigest()
        else:
            new = chain.event_hash(chain.canonical_of(event), prev, key=key)
        _without_trigger("UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
                         [prev, new, key_id, event.pk])
        prev = new


def _delete_and_close_the_gap(seq):
    _without_trigger("DELETE FROM audit_auditevent WHERE seq = %s", [seq])
    _without_trigger("UPDATE audit_auditevent SET seq = seq - 1 WHERE seq > %s", [seq])


def _checkpoint_file(tmp_path, capsys):
    capsys.readouterr()
    call_command("audit_checkpoint")
    path = tmp_path / "checkpoints.jsonl"
    path.write_text(capsys.readouterr().out)
    return path


def test_every_event_is_chained_with_the_primary_key(five_events):
    assert {event.key_id for event in AuditEvent.objects.all()} == {"k1"}
    call_command("verify_audit")


def test_a_row_deleted_and_the_chain_recomputed_without_the_key_fails(five_events):
    _delete_and_close_the_gap(3)
    _recompute_from(3, key_id="k1", key=secrets.token_bytes(32))  # the attacker's own key, same id
    with pytest.raises(CommandError, match=r"#3 .*recomputed"):
        call_command("verify_audit")


def test_a_chain_recomputed_with_the_old_unkeyed_code_fails(five_events):
    _delete_and_close_the_gap(3)
    _recompute_from(3, key_id="", legacy=True)
    with pytest.raises(CommandError, match=r"#3 .*unknown audit key"):
        call_command("verify_audit")


def test_events_cut_off_the_end_fail_against_a_checkpoint(five_events, tmp_path, capsys):
    checkpoints = _checkpoint_file(tmp_path, capsys)
    assert json.loads(checkpoints.read_text())["seq"] == 5
    call_command("verify_audit", "--checkpoint", str(checkpoints))
    _without_trigger("DELETE FROM audit_auditevent WHERE seq >= 4")
    call_command("verify_audit")  # what is left is a whole chain: only the checkpoint can tell
    with pytest.raises(CommandError, match=r"ends at event #3 .*#5 .*cut off"):
        call_command("verify_audit", "--checkpoint", str(checkpoints))


def test_a_recomputed_chain_fails_against_a_checkpoint_even_with_a_stolen_key(five_events, tmp_path, capsys):
    checkpoints = _checkpoint_file(tmp_path, capsys)
    _delete_and_close_the_gap(3)
    log_event("tests.thing.happened", data={"n": 5})  # back to five events
    _recompute_from(3, key_id="k1", key=audit_keyring().primary_key)
    call_command("verify_audit")
    with pytest.raises(CommandError, match=r"#5 .*checkpoint"):
        call_command("verify_audit", "--checkpoint", str(checkpoints))


def test_the_chain_grows_past_a_checkpoint(five_events, tmp_path, capsys):
    checkpoints = _checkpoint_file(tmp_path, capsys)
    log_event("tests.thing.happened", data={"n": 6})
    capsys.readouterr()
    call_command("verify_audit", "--checkpoint", str(checkpoints))
    assert "6 events verified, 1 checkpoint(s) reached" in capsys.readouterr().out


def test_a_malformed_checkpoint_file_is_refused(five_events, tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("seq 5\n")
    with pytest.raises(CommandError, match="line 1: not a checkpoint"):
        call_command("verify_audit", "--checkpoint", str(bad))


def test_rotation_new_key_first_old_key_still_verifies(five_events, settings):
    settings.PROTECT_AUDIT_KEY = f"{_entry('k2')},{settings.PROTECT_AUDIT_KEY}"
    log_event("tests.thing.happened", data={"n": 6})
    assert list(AuditEvent.objects.values_list("key_id", flat=True)) == ["k1"] * 5 + ["k2"]
    call_command("verify_audit")
    settings.PROTECT_AUDIT_KEY = settings.PROTECT_AUDIT_KEY.split(",")[0]  # the old key dropped too soon
    with pytest.raises(CommandError, match=r"#1 .*unknown audit key 'k1'"):
        call_command("verify_audit")


def test_after_rotation_nothing_is_appended_under_the_old_key(five_events, settings):
    old_ring = settings.PROTECT_AUDIT_KEY
    settings.PROTECT_AUDIT_KEY = f"{_entry('k2')},{old_ring}"
    log_event("tests.thing.happened", data={"n": 6})
    new_ring = settings.PROTECT_AUDIT_KEY
    settings.PROTECT_AUDIT_KEY = old_ring  # someone holding only the old key appends
    log_event("tests.thing.happened", data={"n": 7})
    settings.PROTECT_AUDIT_KEY = new_ring
    with pytest.raises(CommandError, match=r"#7 .*older audit key"):
        call_command("verify_audit")


def test_production_refuses_to_start_without_the_audit_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "PROTECT_AUDIT_KEY"}
    result = _run_manage(env, "check")
    assert result.returncode != 0 and "PROTECT_AUDIT_KEY must be set" in result.stderr


def test_a_malformed_audit_key_is_refused_without_printing_it():
    result = _run_manage(PRODUCTION_ENV | {"PROTECT_AUDIT_KEY": "a1:c2hvcnQ="}, "check")
    assert result.returncode != 0 and "PROTECT_AUDIT_KEY: the key 'a1' is 5 bytes" in result.stderr
    assert "c2hvcnQ" not in result.stderr


def _insert_legacy(n):
    """Events as the unkeyed chain wrote them (plain SHA-256, no key id)."""
    prev = chain.GENESIS_HASH
    for seq in range(1, n + 1):
        row = {"seq": seq, "occurred_at": timezone.now(), "actor_id": None, "actor_label": "system",
               "action": "tests.legacy.happened", "target_type": "", "target_id": "", "data": {"n": seq}}
        body = json.dumps({"seq": seq, "at": row["occurred_at"].isoformat(timespec="microseconds"), "actor": None,
                           "actor_label": "system", "action": row["action"], "target": ["", ""],
                           "data": row["data"]}, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        digest = hashlib.sha256(prev.encode() + b"\n" + body).hexdigest()
        AuditEvent(**row, prev_hash=prev, hash=digest, key_id="").save(force_insert=True)
        prev = digest


def _rechain():
    migration = importlib.import_module("protect.audit.migrations.0004_rechain_under_the_audit_key")
    with connection.schema_editor(atomic=False) as editor:
        migration.rechain(global_apps, editor)


def test_the_migration_rechains_an_intact_unkeyed_chain_under_the_key(ring_k1):
    _insert_legacy(4)
    _rechain()
    assert list(AuditEvent.objects.values_list("key_id", flat=True)) == ["k1"] * 5
    assert AuditEvent.objects.last().action == "audit.chain.rekeyed"
    call_command("verify_audit")


def test_the_migration_refuses_to_launder_a_tampered_unkeyed_chain(ring_k1):
    _insert_legacy(4)
    _without_trigger("UPDATE audit_auditevent SET data = '{\"n\": 9}' WHERE seq = 2")
    with pytest.raises(RuntimeError, match="broken at event #2"):
        _rechain()
