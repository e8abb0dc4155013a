"""The search box: a case of any kind by reference in either case, a defender by reference,
pseudonym or exact name, phone or e-mail (blind index), each answer scoped to who asks."""

from __future__ import annotations

import pytest

from grants.models import Grant
from grants.services import grant_submit_public
from protect.audit.models import AuditEvent
from protect.cases.search import staff_search
from protect.cases.services.routing import case_route
from relocation.models import Relocation
from relocation.services import relocation_apply_public
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified
from tests.relocation.conftest import DEFENDER as RELOCATION_DEFENDER
from tests.relocation.conftest import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(team_africa, caseworker):
    data = dict(DEFENDER) | {"contacts": {"phone": "+254 700 000 002", "email": "Kestrel@Example.org"}}
    grant, _ = grant_submit_public(defender_data=data, details=details())
    return case_route(model=Grant, case_id=grant.pk)


def test_a_case_is_found_by_its_reference_in_lower_case(routed, caseworker):
    assert staff_search(caseworker, routed.reference.lower()).cases == [routed]
    assert staff_search(caseworker, f"  {routed.reference} ").cases == [routed]


def test_a_relocation_is_found_by_its_reference_through_the_kernel(team_africa, caseworker):
    relocation, _ = relocation_apply_public(defender_data=dict(RELOCATION_DEFENDER), details=application())
    relocation = case_route(model=Relocation, case_id=relocation.pk)
    assert staff_search(caseworker, relocation.reference.lower()).cases == [relocation]


@pytest.mark.parametrize("query", ["kestrel", "KESTREL", "achieng otieno", "Achieng  OTIENO", "+254700000002",
                                   "00254 700 000 002", "kestrel@example.org"])
def test_a_defender_of_ones_own_case_is_found_by_pseudonym_exact_name_phone_or_email(routed, caseworker, query):
    assert staff_search(caseworker, query).defenders == [routed.defender]


def test_a_part_of_a_name_or_number_finds_no_one(routed, caseworker):
    assert staff_search(caseworker, "Achieng").defenders == []
    assert staff_search(caseworker, "700000002").defenders == []


def test_a_defender_by_reference(routed, caseworker):
    assert staff_search(caseworker, routed.defender.reference.lower()).defenders == [routed.defender]


def test_another_teams_caseworker_finds_neither_the_case_nor_the_defender(routed, caseworker_other_team):
    assert staff_search(caseworker_other_team, routed.reference).count == 0
    assert staff_search(caseworker_other_team, "Achieng Otieno").count == 0
    assert staff_search(caseworker_other_team, "+254700000002").count == 0


def test_finance_finds_an_approved_grant_by_reference_but_never_a_person(routed, finance):
    assert staff_search(finance, routed.reference).cases == []  # in triage: not finance's yet
    assert staff_search(finance, "Achieng Otieno").defenders == []


def test_the_search_page_is_audited_without_what_was_typed(client, routed, caseworker):
    login_verified(client, caseworker)
    page = client.get("/search/", {"q": "Achieng Otieno"}).content.decode()
    assert routed.defender.reference in page
    event = AuditEvent.objects.get(action="cases.search.ran")
    assert event.data == {"cases": 0, "defenders": 1} and "Achieng" not in str(event.data)


def test_the_search_page_links_the_case_and_its_defender(client, routed, coordinator):
    login_verified(client, coordinator)
    page = client.get("/search/", {"q": routed.reference.lower()}).content.decode()
    assert routed.get_absolute_url() in page and f"/defenders/{routed.defender.reference}/" in page


def test_the_header_has_the_search_box_for_staff_only(client, caseworker, donor):
    login_verified(client, caseworker)
    assert 'action="/search/"' in client.get("/accounts/").content.decode()
    login_verified(client, donor)
    assert 'action="/search/"' not in client.get("/accounts/").content.decode()
