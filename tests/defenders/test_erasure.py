"""Erasure (crypto-shredding): nothing of the defender can be decrypted again; statistics survive."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from protect.audit.models import AuditEvent
from protect.core.errors import PermissionDenied
from protect.crypto.errors import DataKeyDestroyed
from protect.crypto.models import DataKey
from protect.defenders.errors import DefenderError
from protect.defenders.models import ConsentRecord, ContactPerson, Defender
from protect.defenders.services import (
    consent_record,
    contact_person_add,
    defender_create,
    defender_erase,
    defender_find_duplicates,
)

ENCRYPTED = ["legal_name", "aliases", "contacts", "secure_channels", "location", "risk_notes", "date_of_birth"]


def _defender(by) -> Defender:
    defender = defender_create(
        by=by, pseudonym="Kestrel", legal_name="Wanjiru Otieno", country="KE",
        aliases=["Shiru"], contacts={"phone": "+254 700 100 201", "email": "w.otieno@example.org"},
        location="Narok", risk_notes="Followed twice", profiles=["land_environment", "women_hrd"], languages=["sw"],
    )
    contact_person_add(defender=defender, by=by, name="Her brother", contacts={"phone": "+254 700 999"})
    consent_record(defender=defender, by=by, purpose="case_handling", scope="Team only", method="verbal")
    return defender


@pytest.mark.django_db
def test_after_erasure_no_encrypted_field_of_the_defender_can_be_decrypted(coordinator):
    defender = _defender(coordinator)
    defender_erase(defender=defender, by=coordinator, reason="The defender asked to be forgotten")

    fresh = Defender.objects.select_related("data_key").get(pk=defender.pk)
    for name in ENCRYPTED:  # date_of_birth is NULL: it raises all the same
        with pytest.raises(DataKeyDestroyed):
            getattr(fresh, name)
    for person in ContactPerson.objects.filter(defender=defender):
        with pytest.raises(DataKeyDestroyed):
            _ = person.name
    for consent in ConsentRecord.objects.filter(defender=defender):
        with pytest.raises(DataKeyDestroyed):
            _ = consent.scope
    # Not even the instance the caller held keeps the plaintext.
    with pytest.raises(DataKeyDestroyed):
        _ = defender.legal_name
    key = DataKey.objects.get(pk=defender.data_key_id)
    assert bytes(key.wrapped) == b"" and key.destroyed_at is not None


@pytest.mark.django_db
def test_after_erasure_the_blind_indexes_are_gone_and_statistics_remain(coordinator):
    defender = _defender(coordinator)
    defender_erase(defender=defender, by=coordinator, reason="Asked to be forgotten")
    fresh = Defender.objects.get(pk=defender.pk)
    assert (fresh.name_country_index, fresh.phone_index, fresh.email_index) == ("", "", "")
    assert not defender_find_duplicates(name="Wanjiru Otieno", country="KE", phone="+254700100201",
                                        email="w.otieno@example.org").exists()
    assert (fresh.country, fresh.region, fresh.kind) == ("KE", "africa", "person")
    assert fresh.profile_codes == ["land_environment", "women_hrd"]
    assert fresh.created_at == defender.created_at
    assert fresh.pseudonym == f"Erased defender {fresh.reference}" and fresh.languages == []
    assert (fresh.erased_by, fresh.erasure_reason) == (coordinator, "Asked to be forgotten")
    event = AuditEvent.objects.filter(action="defenders.defender.erased").get()
    assert event.actor == coordinator and event.target_id == str(defender.pk)


@pytest.mark.django_db
def test_erasing_twice_changes_nothing_the_second_time(coordinator):
    defender = _defender(coordinator)
    first = defender_erase(defender=defender, by=coordinator, reason="Asked")
    again = defender_erase(defender=defender, by=coordinator, reason="Asked again")
    assert again.erased_at == first.erased_at and again.erasure_reason == "Asked"
    assert AuditEvent.objects.filter(action="defenders.defender.erased").count() == 1


@pytest.mark.django_db
def test_only_a_coordinator_can_erase_and_a_reason_is_required(coordinator, caseworker):
    defender = _defender(coordinator)
    with pytest.raises(PermissionDenied):
        defender_erase(defender=defender, by=caseworker, reason="Asked")
    with pytest.raises(DefenderError, match="reason"):
        defender_erase(defender=defender, by=coordinator, reason="  ")
    assert Defender.objects.get(pk=defender.pk).legal_name == "Wanjiru Otieno"


@pytest.mark.django_db
def test_the_erase_defender_command_erases_by_reference(coordinator):
    defender = _defender(coordinator)
    out = StringIO()
    call_command("erase_defender", defender.reference, "--by", coordinator.username, "--reason", "Asked", stdout=out)
    assert f"{defender.reference} erased" in out.getvalue()
    with pytest.raises(DataKeyDestroyed):
        _ = Defender.objects.get(pk=defender.pk).legal_name
    with pytest.raises(CommandError, match="No defender"):
        call_command("erase_defender", "D-NOTEXIST00", "--by", coordinator.username, "--reason", "x")


@pytest.mark.django_db
def test_the_erase_defender_command_refuses_someone_who_is_not_a_coordinator(coordinator, caseworker):
    defender = _defender(coordinator)
    with pytest.raises(CommandError, match="Only a coordinator"):
        call_command("erase_defender", defender.reference, "--by", caseworker.username, "--reason", "x")
