"""The audit page in plain words (issue 9, item 13): case references and phrases instead of ids and
codes; filters by case reference, by person and by kind of event."""

from __future__ import annotations

import pytest

from grants.models import Grant
from grants.services import grant_record_hotline
from protect.cases.services.casefile import case_add_note
from protect.cases.services.routing import case_route
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases(caseworker, team_africa):
    made = []
    for _ in range(2):
        grant, _secrets = grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER), details=details())
        made.append(case_route(model=Grant, case_id=grant.pk))
    case_add_note(case=made[0], by=caseworker, body="Called back at noon.")
    return made


def _rows(response):
    return response.context["rows"]


def test_events_name_the_case_by_reference_in_plain_words(client, coordinator, two_cases):
    first, _second = two_cases
    login_verified(client, coordinator)
    response = client.get("/audit/")
    page = response.content.decode()
    assert first.reference in page and "amina added a note" in page
    assert "<code>grants.note.added</code>" not in page and f"grants.grant {first.pk}" not in page
    assert "Called back" not in page  # the note itself is never in the log


def test_the_reference_filter_shows_one_cases_events_in_either_case(client, coordinator, two_cases):
    first, second = two_cases
    login_verified(client, coordinator)
    rows = _rows(client.get("/audit/", {"reference": first.reference.lower()}))
    assert rows and {record for _event, _text, record in rows} == {first.reference}
    assert second.reference not in {record for _event, _text, record in rows}


def test_an_unknown_reference_says_so_and_lists_nothing(client, coordinator, two_cases):
    login_verified(client, coordinator)
    response = client.get("/audit/", {"reference": "G-NOPE"})
    assert _rows(response) == [] and "No case or defender has the reference G-NOPE" in response.content.decode()


def test_the_person_filter_shows_only_what_that_person_did(client, coordinator, caseworker, two_cases):
    login_verified(client, coordinator)
    rows = _rows(client.get("/audit/", {"actor": caseworker.pk}))
    assert rows and {event.actor_id for event, _text, _record in rows} == {caseworker.pk}


def test_the_kind_filter_is_a_select_of_plain_words(client, coordinator, two_cases):
    login_verified(client, coordinator)
    response = client.get("/audit/", {"action": "grants.note.added"})
    assert [event.action for event, _text, _record in _rows(response)] == ["grants.note.added"]
    page = response.content.decode()
    assert '<option value="grants.note.added" selected>added a note (grants)</option>' in page


def test_a_bad_filter_value_is_ignored_never_an_error(client, coordinator, two_cases):
    login_verified(client, coordinator)
    assert client.get("/audit/", {"actor": "not-a-number"}).status_code == 200
