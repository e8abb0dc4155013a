"""The second factor survives a copy of the database: the TOTP secret is encrypted under the
device's own data key, recovery codes are kept only as keyed hashes."""

from __future__ import annotations

import re
from base64 import b32encode
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from protect.accounts import services
from protect.accounts.models import AuthenticatorDevice, RecoveryCode, RecoveryCodeDevice
from protect.crypto.errors import DecryptionError
from protect.crypto.keys import new_blind_index_key, new_master_key_entry
from protect.crypto.models import DataKey
from tests.helpers import current_code, make_user


def _rows_as_bytes(table: str) -> bytes:
    """Every column of every row of `table`, as the database holds it (what a dump shows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        rows = cursor.fetchall()
    assert rows, f"{table} is empty: the test would prove nothing"
    parts: list[bytes] = []
    for row in rows:
        for value in row:
            if isinstance(value, bytes | memoryview):
                parts.append(bytes(value))
            elif value is not None:
                parts.append(str(value).encode())
    return b"\x00".join(parts)


@pytest.fixture
def ring(settings: Any) -> dict[str, str]:
    entries = {"old": new_master_key_entry("old"), "new": new_master_key_entry("new")}
    settings.PROTECT_MASTER_KEYS = entries["old"]
    settings.PROTECT_BLIND_INDEX_KEY = new_blind_index_key()
    return entries


@pytest.mark.django_db
def test_the_device_table_holds_no_totp_secret_in_any_encoding():
    user = make_user("dumped")
    device, _codes = services.totp_device_enrol_confirmed(user=user)
    raw = _rows_as_bytes(AuthenticatorDevice._meta.db_table).lower()
    secret_hex = device.bin_key.hex().encode()
    secret_b32 = b32encode(device.bin_key).rstrip(b"=").lower()
    assert len(device.bin_key) == 20
    assert secret_hex not in raw
    assert secret_b32 not in raw
    assert device.bin_key.lower() not in raw
    # Still a working authenticator, read back from the database.
    assert services.second_factor_verify(user=user, code=current_code(device)) is not None


@pytest.mark.django_db
def test_recovery_codes_are_not_stored_in_plain_text_yet_each_works_once():
    user = make_user("dumped")
    _device, codes = services.totp_device_enrol_confirmed(user=user)
    raw = (_rows_as_bytes(RecoveryCode._meta.db_table) + _rows_as_bytes(RecoveryCodeDevice._meta.db_table)).lower()
    assert len(codes) == 10
    for code in codes:
        assert code.encode() not in raw
        assert code.upper().encode() not in raw
    assert isinstance(services.second_factor_verify(user=user, code=codes[3]), RecoveryCodeDevice)
    assert services.second_factor_verify(user=user, code=codes[3]) is None
    assert services.recovery_codes_remaining(user) == 9


@pytest.mark.django_db
def test_the_same_code_hashes_differently_for_two_users():
    first, _ = services.totp_device_enrol_confirmed(user=make_user("first"))
    second, _ = services.totp_device_enrol_confirmed(user=make_user("second"))
    one = RecoveryCodeDevice.objects.get(user=first.user)
    other = RecoveryCodeDevice.objects.get(user=second.user)
    assert one.code_digest("abcdefgh") != other.code_digest("abcdefgh")


@pytest.mark.django_db
def test_a_secret_moved_to_another_device_does_not_decrypt_even_with_its_data_key():
    victim, _ = services.totp_device_enrol_confirmed(user=make_user("victim"))
    attacker_user = make_user("attacker")
    attacker, _ = services.totp_device_enrol_confirmed(user=attacker_user)
    table = connection.ops.quote_name(AuthenticatorDevice._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET secret = (SELECT secret FROM {table} WHERE id = %s), "
            f"data_key_id = (SELECT data_key_id FROM {table} WHERE id = %s) WHERE id = %s",
            [victim.pk, victim.pk, attacker.pk],
        )
    moved = AuthenticatorDevice.objects.get(pk=attacker.pk)
    with pytest.raises(DecryptionError):
        _ = moved.secret
    with pytest.raises(DecryptionError):
        services.second_factor_verify(user=attacker_user, code=current_code(victim))


@pytest.mark.django_db
def test_totp_code_prints_the_code_of_the_key_the_demo_seed_printed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines()
                if line.strip().startswith("caseworker ") and " key " in line)
    match = re.search(r" key ([A-Z2-7]+) ", line)
    assert match is not None
    printed_key = match.group(1)
    device = AuthenticatorDevice.objects.get(user__username="caseworker", confirmed=True)
    assert b32encode(device.bin_key).decode() == printed_key
    code_out = StringIO()
    call_command("totp_code", "caseworker", stdout=code_out)
    assert code_out.getvalue().strip() == current_code(device)
    assert services.second_factor_verify(user=device.user, code=code_out.getvalue().strip()) == device


@pytest.mark.django_db
def test_after_master_key_rotation_the_authenticator_and_recovery_codes_still_work(ring, settings):
    user = make_user("rotated")
    device, codes = services.totp_device_enrol_confirmed(user=user)
    keys = {device.data_key_id, RecoveryCodeDevice.objects.get(user=user).data_key_id}
    assert set(DataKey.objects.filter(pk__in=keys).values_list("master_key_id", flat=True)) == {"old"}

    settings.PROTECT_MASTER_KEYS = f"{ring['new']},{ring['old']}"
    call_command("rotate_master_key", stdout=StringIO())
    settings.PROTECT_MASTER_KEYS = ring["new"]  # the old master key has left the ring

    assert set(DataKey.objects.filter(pk__in=keys).values_list("master_key_id", flat=True)) == {"new"}
    fresh = AuthenticatorDevice.objects.get(pk=device.pk)
    assert services.second_factor_verify(user=user, code=current_code(fresh)) == fresh
    assert isinstance(services.second_factor_verify(user=user, code=codes[0]), RecoveryCodeDevice)


@pytest.mark.django_db
def test_a_reset_deletes_the_data_keys_of_the_removed_devices(coordinator):
    user = make_user("lost-phone")
    device, _codes = services.totp_device_enrol_confirmed(user=user)
    keys = {device.data_key_id, RecoveryCodeDevice.objects.get(user=user).data_key_id}
    services.second_factor_reset(user=user, by=coordinator, reason="Phone lost")
    assert not DataKey.objects.filter(pk__in=keys).exists()
    assert not AuthenticatorDevice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_new_recovery_codes_keep_the_device_but_change_its_hash_key():
    user = make_user("regenerates")
    device, old_codes = services.totp_device_enrol_confirmed(user=user)
    sheet = RecoveryCodeDevice.objects.get(user=user)
    new_codes = services.recovery_codes_regenerate(user=user, code=current_code(device))
    again = RecoveryCodeDevice.objects.get(user=user)
    assert again.pk == sheet.pk and again.hmac_key != sheet.hmac_key
    assert services.second_factor_verify(user=user, code=new_codes[0]) == again
    assert services.second_factor_verify(user=user, code=old_codes[0]) is None  # (then throttled a moment)


@pytest.mark.django_db
def test_an_authenticator_code_cannot_be_replayed_and_a_wrong_code_is_throttled():
    user = make_user("replayer")
    device, _ = services.totp_device_enrol_confirmed(user=user)
    code = current_code(device)
    assert services.second_factor_verify(user=user, code=code) == device
    assert services.second_factor_verify(user=user, code=code) is None  # same time step: refused
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
