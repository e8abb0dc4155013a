"""Encrypted fields: no plaintext in the database, ciphertexts bound to their row and column, tampering
detected and audited, plaintext never written or compared by the ORM, values round-trip exactly."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core import serializers
from django.core.exceptions import FieldError
from django.db import connection, models, transaction
from django.test.utils import isolate_apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protect.audit.models import AuditEvent
from protect.crypto import primitives, reporting
from protect.crypto.errors import CryptoError, DataKeyDestroyed, DecryptionError
from protect.crypto.fields import EncryptedTextField, Sealed
from protect.crypto.models import DataKey
from protect.defenders.models import ConsentRecord, ContactPerson, Defender
from protect.defenders.services import consent_record, contact_person_add, defender_create

SECRETS = {
    "legal_name": "Zanele Mkhabela-Dlamini",
    "alias": "Mama Tiyo",
    "phone": "+268 7612 3456",
    "email": "zanele.secret@example.org",
    "signal": "zanele.77",
    "location": "Plot 14, Msunduza township, Mbabane",
    "risk": "Police informer Themba watches her house at night",
    "dob": "1981-07-23",
    "scope": "May be named in the alert of 12 May only",
    "contact_person": "Sipho Nkambule-Vilakazi",
}


def _create(by):
    defender = defender_create(
        by=by, pseudonym="Acacia", legal_name=SECRETS["legal_name"], country="SZ",
        aliases=[SECRETS["alias"]],
        contacts={"phone": SECRETS["phone"], "email": SECRETS["email"], "signal": SECRETS["signal"]},
        secure_channels={"preferred": "signal"}, location=SECRETS["location"], risk_notes=SECRETS["risk"],
        date_of_birth=datetime.date.fromisoformat(SECRETS["dob"]), profiles=["women_hrd"],
    )
    contact_person_add(defender=defender, by=by, name=SECRETS["contact_person"], role="Sister")
    consent_record(defender=defender, by=by, purpose="public_alert", scope=SECRETS["scope"], method="written")
    return defender


def _raw_rows(table: str, where: str, params: list[object]) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {where}", params)
        rows = cursor.fetchall()
    cells: list[bytes] = []
    for row in rows:
        for value in row:
            cells.append(bytes(value) if isinstance(value, memoryview | bytes) else str(value).encode())
    return cells


def _raw_update(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_a_row_read_straight_from_postgresql_shows_no_plaintext(coordinator):
    defender = _create(coordinator)
    cells = _raw_rows("defenders_defender", "id = %s", [defender.pk])
    cells += _raw_rows("defenders_contactperson", "defender_id = %s", [defender.pk])
    cells += _raw_rows("defenders_consentrecord", "defender_id = %s", [defender.pk])
    cells += _raw_rows("crypto_datakey", "id = %s", [defender.data_key_id])
    blob = b"\n".join(cells)
    for name, secret in SECRETS.items():
        for form in {secret, secret.lower(), secret.upper()}:
            assert form.encode() not in blob, f"{name} appears in plaintext in the database"
    # …and yet the application reads every value back.
    fresh = Defender.objects.get(pk=defender.pk)
    assert fresh.legal_name == SECRETS["legal_name"]
    assert fresh.contacts["email"] == SECRETS["email"]
    assert fresh.date_of_birth == datetime.date(1981, 7, 23)


@pytest.mark.django_db
def test_a_ciphertext_moved_to_another_row_with_the_same_key_does_not_decrypt(coordinator):
    defender = _create(coordinator)
    second = contact_person_add(defender=defender, by=coordinator, name="Another person")
    first = ContactPerson.objects.filter(defender=defender).exclude(pk=second.pk).get()
    # Both rows are sealed under the same data key: only the row binding can tell them apart.
    _raw_update("UPDATE defenders_contactperson SET name = (SELECT name FROM defenders_contactperson WHERE id = %s) "
                "WHERE id = %s", [first.pk, second.pk])
    moved = ContactPerson.objects.get(pk=second.pk)
    with pytest.raises(DecryptionError):
        _ = moved.name
    assert ContactPerson.objects.get(pk=first.pk).name == SECRETS["contact_person"]


@pytest.mark.django_db
def test_a_ciphertext_moved_to_another_column_of_the_same_row_does_not_decrypt(coordinator):
    defender = _create(coordinator)
    _raw_update("UPDATE defenders_defender SET risk_notes = location WHERE id = %s", [defender.pk])
    moved = Defender.objects.get(pk=defender.pk)
    assert moved.location == SECRETS["location"]
    with pytest.raises(DecryptionError):
        _ = moved.risk_notes


@pytest.mark.django_db
def test_a_ciphertext_moved_to_another_defender_does_not_decrypt(coordinator):
    one, two = _create(coordinator), defender_create(by=coordinator, pseudonym="Other", legal_name="Other Person",
                                                    country="SZ")
    _raw_update("UPDATE defenders_defender SET legal_name = (SELECT legal_name FROM defenders_defender WHERE id = %s) "
                "WHERE id = %s", [one.pk, two.pk])
    with pytest.raises(DecryptionError):
        _ = Defender.objects.get(pk=two.pk).legal_name


@pytest.mark.django_db
def test_tampered_ciphertext_raises_and_is_recorded_in_the_audit_log(coordinator):
    defender = _create(coordinator)
    _raw_update("UPDATE defenders_defender SET location = set_byte(location, 20, get_byte(location, 20) # 1) "
                "WHERE id = %s", [defender.pk])
    tampered = Defender.objects.get(pk=defender.pk)
    with pytest.raises(DecryptionError) as caught:
        _ = tampered.location
    assert SECRETS["location"] not in caught.value.message
    event = AuditEvent.objects.filter(action="crypto.decrypt.failed").latest("seq")
    assert event.target_type == "defenders.defender" and event.target_id == str(defender.pk)
    assert event.data == {"model": "defenders.defender", "field": "location", "code": "decryption_failed"}
    # The failure never turns into an empty or default value, however often it is read.
    with pytest.raises(DecryptionError):
        _ = tampered.location


@pytest.mark.django_db
def test_an_audit_write_that_itself_fails_to_decrypt_does_not_loop(coordinator, monkeypatch):
    defender = _create(coordinator)
    _raw_update("UPDATE defenders_defender SET location = set_byte(location, 20, get_byte(location, 20) # 1) "
                "WHERE id = %s", [defender.pk])
    tampered = Defender.objects.get(pk=defender.pk)
    calls: list[str] = []

    def log_event_reading_the_target(action, *, target=None, **kwargs):
        calls.append(action)
        Defender.objects.get(pk=target.pk).location  # fails again, inside the reporting  # noqa: B018

    monkeypatch.setattr(reporting, "log_event", log_event_reading_the_target)
    with pytest.raises(DecryptionError):
        _ = tampered.location
    assert calls == ["crypto.decrypt.failed"]


@pytest.mark.django_db
def test_saving_a_row_with_a_tampered_value_fails_instead_of_resealing_it(coordinator):
    defender = _create(coordinator)
    # (a flipped bit, never a fixed byte: the byte may already hold it, 1 time in 256)
    _raw_update("UPDATE defenders_defender SET risk_notes = set_byte(risk_notes, 30, get_byte(risk_notes, 30) # 1) "
                "WHERE id = %s", [defender.pk])
    tampered = Defender.objects.get(pk=defender.pk)
    tampered.pseudonym = "Renamed"
    with pytest.raises(DecryptionError):
        tampered.save()


@pytest.mark.django_db
def test_plaintext_never_reaches_the_database_through_update_bulk_update_or_a_lookup(coordinator):
    defender = _create(coordinator)
    # (each in a savepoint: Django marks the surrounding transaction broken after a failed write)
    with pytest.raises(CryptoError, match="is encrypted"), transaction.atomic():
        Defender.objects.filter(pk=defender.pk).update(legal_name="Written around the field")
    defender.legal_name = "Also not like this"
    with pytest.raises(CryptoError, match="is encrypted"), transaction.atomic():
        Defender.objects.bulk_update([defender], ["legal_name"])
    with pytest.raises(FieldError):
        list(Defender.objects.filter(legal_name=SECRETS["legal_name"]))
    with pytest.raises(FieldError):
        list(Defender.objects.filter(legal_name__icontains="Zanele"))
    assert Defender.objects.filter(date_of_birth__isnull=False).count() == 1


@pytest.mark.django_db
def test_an_encrypted_model_is_never_serialised(coordinator):
    defender = _create(coordinator)
    with pytest.raises(CryptoError, match="never serialised"):
        serializers.serialize("json", [defender])


@pytest.mark.django_db
def test_empty_values_are_encrypted_and_none_is_null(coordinator):
    defender = defender_create(by=coordinator, pseudonym="Empty", legal_name="Someone", country="KE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT location, aliases, date_of_birth FROM defenders_defender WHERE id = %s", [defender.pk])
        location, aliases, date_of_birth = cursor.fetchone()
    assert location is not None and len(bytes(location)) > 16  # "" is sealed like any value
    assert aliases is not None
    assert date_of_birth is None  # None is SQL NULL
    fresh = Defender.objects.get(pk=defender.pk)
    assert (fresh.location, fresh.aliases, fresh.date_of_birth) == ("", [], None)


@pytest.mark.django_db
def test_values_are_decrypted_lazily_and_only_once(coordinator, monkeypatch):
    defender = _create(coordinator)
    calls: list[int] = []
    original = primitives.unseal_versioned
    monkeypatch.setattr(primitives, "unseal_versioned",
                        lambda cipher, blob, aad: calls.append(1) or original(cipher, blob, aad))
    fresh = Defender.objects.get(pk=defender.pk)
    assert calls == []
    assert isinstance(fresh.__dict__["legal_name"], Sealed)
    _ = fresh.legal_name, fresh.legal_name, fresh.legal_name
    assert len(calls) == 1


@pytest.mark.django_db
def test_a_deferred_encrypted_field_is_loaded_then_decrypted_on_first_access(coordinator):
    defender = _create(coordinator)
    fresh = Defender.objects.defer("legal_name").get(pk=defender.pk)
    assert "legal_name" not in fresh.__dict__
    assert fresh.legal_name == SECRETS["legal_name"]
    assert fresh.__dict__["legal_name"] == SECRETS["legal_name"]  # kept as plaintext, not opened twice


def test_a_row_already_opened_refuses_its_other_fields_once_its_key_is_destroyed(coordinator):
    # The row keeps its cipher after the first field; destroying the key must still shut the rest.
    fresh = Defender.objects.select_related("data_key").get(pk=_create(coordinator).pk)
    assert fresh.legal_name == SECRETS["legal_name"]
    fresh.data_key.destroy()
    with pytest.raises(DataKeyDestroyed):
        _ = fresh.location
    assert fresh.legal_name == SECRETS["legal_name"]  # what was read stays read; nothing new opens


@pytest.mark.django_db
def test_a_model_with_an_encrypted_field_but_no_row_identity_fails_the_system_check():
    with isolate_apps("protect.crypto"):

        class Careless(models.Model):  # noqa: DJ008 - a throwaway model for the check
            secret = EncryptedTextField()

            class Meta:
                app_label = "crypto"

        ids = {error.id for error in Careless._meta.get_field("secret").check()}
    assert {"crypto.E010", "crypto.E011"} <= ids


# --- round trips --------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _through_the_column(instance: Defender, field_name: str) -> object:
    """Seal as pre_save would, load as from_db_value would, read back through the descriptor."""
    field = Defender._meta.get_field(field_name)
    sealed = field.pre_save(instance, add=True)
    stored = None if sealed is None else sealed.data  # what get_db_prep_value hands to the driver
    loaded = Defender(crypto_id=instance.crypto_id, data_key=instance.data_key)
    loaded.__dict__[field.attname] = field.from_db_value(stored, None, connection)
    return getattr(loaded, field.attname)


_KEY = None


def _unsaved_defender() -> Defender:
    global _KEY
    if _KEY is None:
        _KEY = DataKey.generate()  # unsaved: the in-memory round trips need no database
    return Defender(crypto_id=uuid.uuid4(), data_key=_KEY)


@given(text=st.text())
def test_text_round_trips_through_encryption(text):
    defender = _unsaved_defender()
    defender.risk_notes = text
    assert _through_the_column(defender, "risk_notes") == text


@given(value=JSON)
def test_json_round_trips_through_encryption(value):
    defender = _unsaved_defender()
    defender.contacts = value
    assert _through_the_column(defender, "contacts") == value


def test_an_integer_beyond_64_bits_reads_back_exactly_as_it_was_written():
    defender = _unsaved_defender()
    defender.contacts = {"number": 2**70 + 1, "negative": -(2**65) - 3, "list": [1, 2**64 + 7]}
    value = _through_the_column(defender, "contacts")
    assert value == {"number": 2**70 + 1, "negative": -(2**65) - 3, "list": [1, 2**64 + 7]}
    assert type(value["number"]) is int


def test_a_json_value_sealed_with_surrounding_whitespace_still_reads():
    """Values written before to_bytes wrote compact JSON: the fast reading falls back to json.loads."""
    defender = _unsaved_defender()
    field = Defender._meta.get_field("contacts")
    sealed = defender.get_data_key().seal(b' {"phone": "+1 555"} ', field.aad(defender))
    defender.__dict__["contacts"] = Sealed(sealed)
    assert defender.contacts == {"phone": "+1 555"}


@given(day=st.dates() | st.none())
def test_dates_round_trip_through_encryption(day):
    defender = _unsaved_defender()
    defender.date_of_birth = day
    assert _through_the_column(defender, "date_of_birth") == day


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(), value=JSON, day=st.dates())
def test_values_round_trip_through_postgresql(coordinator, text, value, day):
    defender = defender_create(by=coordinator, pseudonym="Round trip", legal_name="Someone", country="KE")
    defender.risk_notes, defender.secure_channels, defender.date_of_birth = text, value, day
    defender.save()
    fresh = Defender.objects.get(pk=defender.pk)
    assert (fresh.risk_notes, fresh.secure_channels, fresh.date_of_birth) == (text, value, day)


@pytest.mark.django_db
def test_consent_scope_is_sealed_under_the_defenders_key(coordinator):
    defender = _create(coordinator)
    consent = ConsentRecord.objects.select_related("defender__data_key").get(defender=defender)
    assert consent.get_data_key().pk == defender.data_key_id
    assert consent.scope == SECRETS["scope"]
