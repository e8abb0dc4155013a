"""Duplicate detection by name + country, phone or e-mail, through blind indexes only; merging them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protect.audit.models import AuditEvent
from protect.core.errors import PermissionDenied
from protect.defenders.errors import DefenderError
from protect.defenders.models import ConsentRecord, ContactPerson, Defender
from protect.defenders.services import (
    consent_record,
    contact_person_add,
    defender_create,
    defender_find_duplicates,
    defender_merge_duplicates,
)
from tests.documents import pdf_bytes


@pytest.fixture
def layla(coordinator) -> Defender:
    return defender_create(
        by=coordinator, pseudonym="Olive", legal_name="Layla Haddad", country="LB",
        contacts={"phone": "+961 70 000 212", "email": "l.haddad@example.com"}, profiles=["journalist"],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "criteria",
    [
        {"name": "  LAYLA   haddád ", "country": "lb"},
        {"phone": "00961 70-000-212"},
        {"email": "L.Haddad@Example.com "},
        {"name": "Someone Else", "country": "LB", "email": "l.haddad@example.com"},
    ],
)
def test_a_duplicate_is_found_by_name_and_country_phone_or_email(layla, criteria):
    assert list(defender_find_duplicates(**criteria)) == [layla]


@pytest.mark.django_db
def test_the_same_name_in_another_country_is_not_a_duplicate(layla):
    assert not defender_find_duplicates(name="Layla Haddad", country="SY").exists()
    assert not defender_find_duplicates().exists()


@pytest.mark.django_db
def test_the_duplicate_search_sends_no_plaintext_to_the_database(layla):
    with CaptureQueriesContext(connection) as queries:
        found = list(defender_find_duplicates(name="Layla Haddad", country="LB", phone="+96170000212",
                                              email="l.haddad@example.com"))
    assert found == [layla]
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    for plaintext in ("layla", "haddad", "70000212", "example.com"):
        assert plaintext not in sql


@pytest.mark.django_db
def test_updating_contacts_moves_the_blind_indexes(layla, coordinator):
    from protect.defenders.services import defender_update

    defender_update(defender=layla, by=coordinator, contacts={"phone": "+961 3 111 222"})
    assert not defender_find_duplicates(phone="+961 70 000 212").exists()
    assert not defender_find_duplicates(email="l.haddad@example.com").exists()
    assert list(defender_find_duplicates(phone="+9613111222")) == [layla]


@pytest.mark.django_db
def test_merging_moves_consents_and_contact_persons_and_marks_the_duplicate(layla, coordinator, caseworker):
    duplicate = defender_create(
        by=caseworker, pseudonym="Olive 2", legal_name="Leila Hadad", country="LB",
        contacts={"phone": "+961 70 000 212", "signal": "@leila"}, risk_notes="Threatened at the checkpoint",
        profiles=["women_hrd"],
    )
    consent_record(defender=duplicate, by=caseworker, purpose="public_alert", scope="Name me in English",
                   method="written")
    contact_person_add(defender=duplicate, by=caseworker, name="Her editor")
    assert list(defender_find_duplicates(phone="+961 70 000 212").order_by("pk")) == [layla, duplicate]
    kept = defender_merge_duplicates(keep=layla, duplicate=duplicate, by=coordinator)

    kept = Defender.objects.select_related("data_key").get(pk=kept.pk)
    assert kept.aliases == ["Leila Hadad"]
    assert kept.contacts == {"phone": "+961 70 000 212", "email": "l.haddad@example.com", "signal": "@leila"}
    assert "Threatened at the checkpoint" in kept.risk_notes
    assert kept.profile_codes == ["journalist", "women_hrd"]
    # Moved rows now read under the kept defender's data key.
    consent = ConsentRecord.objects.select_related("defender__data_key").get(defender=kept)
    assert consent.scope == "Name me in English"
    assert ContactPerson.objects.select_related("defender__data_key").get(defender=kept).name == "Her editor"
    # The caseworker who recorded the duplicate keeps access to the person, now under the kept record.
    assert caseworker.has_perm("defenders.view_defender", kept)
    merged = Defender.objects.get(pk=duplicate.pk)
    assert merged.merged_into == kept and merged.phone_index == ""
    assert list(defender_find_duplicates(phone="+961 70 000 212")) == [kept]
    assert AuditEvent.objects.filter(action="defenders.defender.merged", target_id=str(kept.pk)).exists()


@pytest.mark.django_db
def test_a_proof_of_consent_moves_to_the_kept_defenders_key_in_a_merge(layla, coordinator, files_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from protect.crypto.files import open_decrypted, store_upload
    from protect.defenders.services import defender_erase

    duplicate = defender_create(by=coordinator, pseudonym="d", legal_name="Leila H", country="LB")
    proof = store_upload(uploaded_file=SimpleUploadedFile("consent.pdf", pdf_bytes(text=b"signed")), owner=duplicate)
    stored = b"".join(open_decrypted(proof))
    consent_record(defender=duplicate, by=coordinator, purpose="photo", scope="One photo", method="written",
                   evidence=proof)
    defender_merge_duplicates(keep=layla, duplicate=duplicate, by=coordinator)
    # Erasing the merged-away record must not take the kept defender's proof with it.
    defender_erase(defender=Defender.objects.get(pk=duplicate.pk), by=coordinator, reason="Merged duplicate")
    consent = ConsentRecord.objects.select_related("evidence__data_key").get(defender=layla)
    assert consent.evidence.data_key_id == layla.data_key_id
    assert b"".join(open_decrypted(consent.evidence)) == stored
    assert consent.evidence.original_name == "consent.pdf"


@pytest.mark.django_db
def test_only_a_coordinator_merges_and_never_a_defender_into_itself(layla, coordinator, caseworker):
    other = defender_create(by=coordinator, pseudonym="x", legal_name="X", country="LB")
    with pytest.raises(PermissionDenied):
        defender_merge_duplicates(keep=layla, duplicate=other, by=caseworker)
    with pytest.raises(DefenderError, match="itself"):
        defender_merge_duplicates(keep=layla, duplicate=layla, by=coordinator)
