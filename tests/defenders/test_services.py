"""Defender services: who may write, validation, audit without sensitive values, consent life cycle."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from protect.audit.models import AuditEvent
from protect.core.errors import InvalidInput, PermissionDenied
from protect.defenders.errors import DefenderError
from protect.defenders.models import REFERENCE_ALPHABET, ConsentRecord, Defender
from protect.defenders.services import (
    consent_record,
    consent_revoke,
    defender_create,
    defender_update,
)


def _create(by, **overrides):
    fields = {"pseudonym": "Condor", "legal_name": "María Quispe", "country": "PE",
              "contacts": {"phone": "+51 984 000 333"}, "risk_notes": "Criminalised after a blockade",
              "profiles": ["indigenous_rights"], "languages": ["es", "qu"]} | overrides
    return defender_create(by=by, **fields)


@pytest.mark.django_db
def test_a_caseworker_records_a_defender_and_may_then_see_and_change_it(caseworker, other_caseworker):
    defender = _create(caseworker)
    assert caseworker.has_perm("defenders.view_defender", defender)
    assert caseworker.has_perm("defenders.change_defender", defender)
    assert not other_caseworker.has_perm("defenders.view_defender", defender)
    assert defender.created_by == caseworker and defender.data_key_id is not None


@pytest.mark.django_db
def test_someone_who_is_not_case_staff_cannot_record_a_defender(outsider):
    with pytest.raises(PermissionDenied):
        _create(outsider)
    assert not Defender.objects.exists()


@pytest.mark.django_db
def test_references_are_random_and_unambiguous(coordinator):
    references = {_create(coordinator, legal_name=f"Person {n}").reference for n in range(20)}
    assert len(references) == 20
    for reference in references:
        assert reference.startswith("D-") and len(reference) == 12
        assert set(reference[2:]) <= set(REFERENCE_ALPHABET) and not set(reference) & set("01OI")


@pytest.mark.django_db
def test_each_defender_has_a_data_key_of_its_own(coordinator):
    one, two = _create(coordinator), _create(coordinator, legal_name="Other")
    assert one.data_key_id != two.data_key_id


@pytest.mark.django_db
def test_the_audit_event_names_no_sensitive_value(coordinator):
    defender = _create(coordinator)
    defender_update(defender=defender, by=coordinator, legal_name="María Fernanda Quispe", location="Cusco")
    events = AuditEvent.objects.filter(target_type="defenders.defender", target_id=str(defender.pk))
    assert [e.action for e in events] == ["defenders.defender.created", "defenders.defender.updated"]
    assert events[1].data == {"fields": ["legal_name", "location"]}
    dumped = json.dumps([e.data for e in events])
    for secret in ("María", "Quispe", "984", "Cusco", "blockade"):
        assert secret not in dumped


@pytest.mark.django_db
def test_invalid_values_are_refused_before_saving(coordinator):
    with pytest.raises(InvalidInput) as caught:
        _create(coordinator, country="Peru", languages=["Spanish"])
    assert {"country", "languages"} <= set(caught.value.errors)
    with pytest.raises(InvalidInput, match="Unknown profile"):
        _create(coordinator, profiles=["spy"])
    with pytest.raises(InvalidInput):
        _create(coordinator, pseudonym="")
    assert not Defender.objects.exists()


@pytest.mark.django_db
def test_a_pseudonym_is_enough_the_legal_name_can_come_later(coordinator):
    defender = _create(coordinator, legal_name="")
    assert defender.legal_name == "" and defender.name_country_index == ""  # nothing to match duplicates on


@pytest.mark.django_db
def test_only_those_allowed_to_change_a_defender_can_update_it(caseworker, other_caseworker):
    defender = _create(caseworker)
    with pytest.raises(PermissionDenied):
        defender_update(defender=defender, by=other_caseworker, risk_notes="overwritten")
    updated = defender_update(defender=defender, by=caseworker, risk_notes="Now also threatened online",
                              profiles=["indigenous_rights", "women_hrd"])
    fresh = Defender.objects.get(pk=defender.pk)
    assert fresh.risk_notes == "Now also threatened online" and fresh.legal_name == "María Quispe"
    assert updated.profile_codes == ["indigenous_rights", "women_hrd"]


@pytest.mark.django_db
def test_a_consent_is_recorded_checked_and_revoked_once(caseworker):
    defender = _create(caseworker)
    consent = consent_record(defender=defender, by=caseworker, purpose="public_alert",
                             scope="May be named in Spanish and English", method="written",
                             valid_until=timezone.localdate() + datetime.timedelta(days=30))
    assert consent.is_valid()
    assert not consent.is_valid(on=timezone.localdate() + datetime.timedelta(days=31))
    revoked = consent_revoke(consent=consent, by=caseworker)
    again = consent_revoke(consent=consent, by=caseworker)
    assert revoked.revoked_at == again.revoked_at and not again.is_valid()
    assert ConsentRecord.objects.get(pk=consent.pk).scope == "May be named in Spanish and English"
    actions = list(AuditEvent.objects.filter(action__startswith="defenders.consent").values_list("action", flat=True))
    assert actions == ["defenders.consent.recorded", "defenders.consent.revoked"]


@pytest.mark.django_db
def test_a_consent_cannot_end_before_it_was_given_nor_use_an_unknown_purpose(caseworker):
    defender = _create(caseworker)
    with pytest.raises(DefenderError):
        consent_record(defender=defender, by=caseworker, purpose="photo", scope="x", method="verbal",
                       valid_until=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(InvalidInput):
        consent_record(defender=defender, by=caseworker, purpose="selling", scope="x", method="verbal")


@pytest.mark.django_db
def test_no_consent_can_be_recorded_for_an_erased_defender(coordinator):
    from protect.defenders.services import defender_erase

    defender = _create(coordinator)
    defender_erase(defender=defender, by=coordinator, reason="Asked")
    with pytest.raises(DefenderError, match="erased"):
        consent_record(defender=defender, by=coordinator, purpose="photo", scope="x", method="verbal")


@pytest.mark.django_db
def test_an_organisation_has_contact_persons_under_its_own_key(coordinator):
    from protect.defenders.services import contact_person_add

    organisation = _create(coordinator, kind="organisation", legal_name="Colectivo Tierra Libre")
    person = contact_person_add(defender=organisation, by=coordinator, name="Ana", role="Director",
                                contacts={"signal": "@ana"})
    assert person.get_data_key().pk == organisation.data_key_id
    assert organisation.contact_persons.get().contacts == {"signal": "@ana"}
