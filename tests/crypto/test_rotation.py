"""Master key rotation re-wraps data keys only, resumably; the data reads before, during and after."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from protect.crypto.models import DataKey
from protect.defenders.models import Defender
from protect.defenders.services import defender_create, defender_erase


def _defenders(by, count: int) -> list[Defender]:
    return [
        defender_create(by=by, pseudonym=f"Rotate {n}", legal_name=f"Person number {n}", country="CO",
                        contacts={"phone": f"+57 300 000 {n:04d}"}, risk_notes=f"note {n}")
        for n in range(count)
    ]


def _column_bytes(pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT legal_name, risk_notes FROM defenders_defender WHERE id = %s", [pk])
        return b"".join(bytes(v) for v in cursor.fetchone())


def _all_read(defenders: list[Defender]) -> None:
    for n, defender in enumerate(defenders):
        fresh = Defender.objects.select_related("data_key").get(pk=defender.pk)
        assert fresh.legal_name == f"Person number {n}"
        assert fresh.risk_notes == f"note {n}"


@pytest.mark.django_db
def test_after_rotation_all_data_reads_and_every_key_is_wrapped_by_the_new_master_key(coordinator, ring, settings):
    defenders = _defenders(coordinator, 5)
    before = {d.pk: _column_bytes(d.pk) for d in defenders}
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"old"}

    settings.PROTECT_MASTER_KEYS = f"{ring['new']},{ring['old']}"
    out = StringIO()
    call_command("rotate_master_key", "--batch-size", "2", stdout=out)

    assert "Re-wrapped now: 5" in out.getvalue()
    assert "Remaining under an old key: 0" in out.getvalue()
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"new"}
    assert {d.pk: _column_bytes(d.pk) for d in defenders} == before  # data columns untouched
    _all_read(defenders)

    # The old key can now leave the ring: everything still reads with the new key alone.
    settings.PROTECT_MASTER_KEYS = ring["new"]
    _all_read(defenders)


@pytest.mark.django_db
def test_an_interrupted_rotation_resumes_where_it_stopped(coordinator, ring, settings):
    defenders = _defenders(coordinator, 5)
    settings.PROTECT_MASTER_KEYS = f"{ring['new']},{ring['old']}"

    out = StringIO()
    call_command("rotate_master_key", "--batch-size", "2", "--max-batches", "1", stdout=out)
    assert "Re-wrapped now: 2" in out.getvalue()
    assert "Remaining under an old key: 3" in out.getvalue()
    assert "run the command again" in out.getvalue()
    _all_read(defenders)  # half-rotated: old and new keys both in the ring, all reads

    out = StringIO()
    call_command("rotate_master_key", "--batch-size", "2", stdout=out)
    assert "Re-wrapped now: 3" in out.getvalue()
    assert "Already under the primary key: 2" in out.getvalue()
    assert "Remaining under an old key: 0" in out.getvalue()
    _all_read(defenders)


@pytest.mark.django_db(transaction=True)
def test_a_rotation_that_crashes_mid_batch_keeps_the_committed_batches(coordinator, ring, settings, monkeypatch):
    defenders = _defenders(coordinator, 5)
    settings.PROTECT_MASTER_KEYS = f"{ring['new']},{ring['old']}"
    calls = {"n": 0}
    original = DataKey.rewrap

    def crash_on_the_fourth(self, key_ring):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down
        return original(self, key_ring)

    monkeypatch.setattr(DataKey, "rewrap", crash_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_master_key", "--batch-size", "2", stdout=StringIO())
    # The first batch (2 keys) committed; the second rolled back whole.
    assert DataKey.objects.filter(master_key_id="new").count() == 2
    assert DataKey.objects.filter(master_key_id="old").count() == 3
    _all_read(defenders)

    monkeypatch.setattr(DataKey, "rewrap", original)
    out = StringIO()
    call_command("rotate_master_key", stdout=out)
    assert "Re-wrapped now: 3" in out.getvalue()
    assert not DataKey.objects.filter(master_key_id="old").exists()
    _all_read(defenders)


@pytest.mark.django_db
def test_rotation_leaves_destroyed_keys_alone(coordinator, ring, settings):
    _, erased = _defenders(coordinator, 2)
    defender_erase(defender=erased, by=coordinator, reason="Asked to be forgotten")
    settings.PROTECT_MASTER_KEYS = f"{ring['new']},{ring['old']}"
    out = StringIO()
    call_command("rotate_master_key", stdout=out)
    assert "Re-wrapped now: 1" in out.getvalue()
    assert "Destroyed (erased, skipped): 1" in out.getvalue()
    destroyed = DataKey.objects.get(pk=erased.data_key_id)
    assert bytes(destroyed.wrapped) == b"" and destroyed.master_key_id == ""


@pytest.mark.django_db
def test_rotation_without_the_old_key_in_the_ring_stops_with_a_clear_message(coordinator, ring, settings):
    _defenders(coordinator, 1)
    settings.PROTECT_MASTER_KEYS = ring["new"]  # the operator forgot to keep the old key
    with pytest.raises(CommandError, match="wrapped by master key 'old', which is not in PROTECT_MASTER_KEYS"):
        call_command("rotate_master_key", stdout=StringIO())
    assert DataKey.objects.filter(master_key_id="old").count() == 1
