"""A merge carries over every row that points to the merged-away defender, of every app, found
through the app registry: a new kind of case cannot be left behind on the duplicate."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.services.drafting import alert_draft
from grants.models import Grant
from grants.services import (
    grant_approve,
    grant_record_disbursement,
    grant_record_review,
    grant_submit_for_review,
    grant_update_eligibility,
)
from protect.cases.services.casefile import case_add_note, case_ask_requester, case_attach_file, case_requester_reply
from protect.cases.services.routing import case_route
from protect.crypto.files import open_decrypted
from protect.defenders.merge import UNITED, defender_links
from protect.defenders.models import Defender
from protect.defenders.services import (
    consent_record,
    contact_person_add,
    defender_grant_access,
    defender_merge_duplicates,
)
from relocation.models import FamilyMember, Relocation
from relocation.services import relocation_add_family_member, relocation_create_from_grant
from tests.alerts.conftest import TEXTS as ALERT_TEXTS
from tests.grants.conftest import DEFENDER, details
from tests.toykind.services import toy_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(caseworker, reviewer, finance, coordinator, team_africa):
    """A duplicate defender with a row in every table that points to a defender, and rows sealed
    through them (a grant's messages, notes, files and payment)."""
    from grants.services import grant_record_hotline
    from protect.defenders.services import defender_create

    keep = defender_create(by=caseworker, **DEFENDER)
    grant, _ = grant_record_hotline(by=caseworker, defender_data=DEFENDER | {"pseudonym": "Kestrel 2"},
                                    details=details(needs=["legal", "urgent_relocation"]))
    duplicate = grant.defender
    grant = case_route(model=Grant, case_id=grant.pk)
    case_ask_requester(case=grant, by=caseworker, question="Where are you now?")
    case_requester_reply(case=grant, body="At the clinic.")
    case_add_note(case=grant, by=caseworker, body="Lawyer confirmed.")
    case_attach_file(case=grant, by=caseworker, kind="document",
                     uploaded_file=SimpleUploadedFile("summons.txt", b"Summons for Monday."))
    grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True, no_other_source=True)
    grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    grant_record_review(grant=grant, by=reviewer, recommendation="approve", verification=["documents_checked"],
                        note="Checked.")
    grant_approve(grant=grant, by=reviewer, amount_minor=100_000)
    import datetime

    grant_record_disbursement(grant=grant, by=finance, payment_reference="BANK-1", amount_minor=50_000,
                              payee_kind="third_party", payee_details="Law office, IBAN KE00 1234",
                              paid_on=datetime.date.today())
    consent_record(defender=duplicate, by=caseworker, purpose="case_handling", scope="Team only", method="verbal")
    contact_person_add(defender=duplicate, by=caseworker, name="Her brother")
    toy_submit(defender=duplicate, story="A toy story.")
    relocation = case_route(model=Relocation, case_id=relocation_create_from_grant(grant=grant, by=caseworker).pk)
    relocation_add_family_member(relocation=relocation, by=caseworker, age_band="0-11", needs="Asthma inhaler")
    alert_draft(by=caseworker, defender=duplicate, language="en", **ALERT_TEXTS)
    defender_grant_access(defender=duplicate, by=coordinator, group=team_africa_group(team_africa))
    return keep, duplicate, grant


def team_africa_group(team):
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=f"team:{team.name}")[0]


def test_every_foreign_key_to_a_defender_is_carried_over_by_a_merge(world, coordinator):
    keep, duplicate, _grant = world
    links = defender_links()
    before = {(m._meta.label_lower, f): m._default_manager.filter(**{f: duplicate}).count() for m, f in links}
    # The world must exercise every link the registry knows: a new model pointing to Defender
    # fails here until this test proves it is carried over.
    assert [link for link, n in before.items() if n == 0] == []

    defender_merge_duplicates(keep=keep, duplicate=duplicate, by=coordinator)

    for model, field in links:
        left = model._default_manager.filter(**{field: duplicate}).count()
        if model in UNITED:  # the duplicate keeps its own for the record; the kept defender gains them
            assert model._default_manager.filter(**{field: keep}).count() >= left
        else:
            assert left == 0, f"{model._meta.label_lower}.{field} stayed on the merged-away defender"


def test_rows_sealed_through_a_moved_case_read_under_the_kept_defenders_key(world, coordinator):
    keep, duplicate, grant = world
    defender_merge_duplicates(keep=keep, duplicate=duplicate, by=coordinator)

    grant = Grant.objects.select_related("defender__data_key").get(pk=grant.pk)
    assert grant.defender_id == keep.pk
    assert grant.incident.startswith("Police raided")
    assert [m.body for m in grant.messages.order_by("pk")] == ["Where are you now?", "At the clinic."]
    assert grant.notes.get().body == "Lawyer confirmed."
    assert grant.disbursements.get().payee_details == "Law office, IBAN KE00 1234"
    stored = grant.files.select_related("file__data_key").get().file
    assert stored.data_key_id == keep.data_key_id
    assert b"".join(open_decrypted(stored)) == b"Summons for Monday."
    assert Defender.objects.get(pk=duplicate.pk).merged_into_id == keep.pk
    family = FamilyMember.objects.select_related("relocation__defender__data_key").get()
    assert family.relocation.defender_id == keep.pk and family.needs == "Asthma inhaler"
