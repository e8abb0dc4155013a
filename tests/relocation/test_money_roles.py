"""The new relocation actions, as every role, from the outside, with the relocation in a state where
the action applies and valid input: those who carry the relocation act, the other desk does not
learn it exists, every other role is refused by role; finance alone confirms stipends. A refused
post changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from relocation.models import BudgetLine, FollowUpCheckIn, PreparationItem, StipendInstalment
from relocation.services import relocation_add_budget_line, relocation_end, relocations_create_stipends
from tests.helpers import login_verified
from tests.security.test_permission_matrix import ROLES

pytestmark = pytest.mark.django_db
DONE, DENIED, HIDDEN, LOGIN = "done", "denied", "hidden", "login"
TODAY = timezone.localdate()
CARRIERS = dict.fromkeys(ROLES, DENIED) | {"anonymous": LOGIN, "caseworker": DONE, "coordinator": DONE,
                                           "caseworker_other_team": HIDDEN}
FINANCE_ONLY = dict.fromkeys(ROLES, DENIED) | {"anonymous": LOGIN, "finance": DONE}


def _outcome(response) -> str:
    if response.status_code in (302, 303):
        return LOGIN if "/login/" in response["Location"] else DONE
    return {403: DENIED, 404: HIDDEN}.get(response.status_code, str(response.status_code))


@pytest.fixture
def stay(relocation_in, caseworker, host_of):
    """In residence for forty days with a stipend line, its two months written."""
    starts_on = TODAY - datetime.timedelta(days=40)
    relocation = relocation_in("in_residence", host=host_of(), starts_on=starts_on,
                               ends_on=starts_on + datetime.timedelta(days=180))
    relocation_add_budget_line(relocation=relocation, by=caseworker, kind="stipend", amount_minor=30_000,
                               currency="EUR")
    relocations_create_stipends()
    return relocation


def _login(client, request, role):
    if role != "anonymous":
        login_verified(client, request.getfixturevalue(role))


@pytest.mark.parametrize("role", ROLES)
def test_checklist_and_budget_as_each_role(client, request, stay, role):
    _login(client, request, role)
    url = f"/relocations/{stay.reference}/"
    got = _outcome(client.post(url + "checklist/", {"visa_done_on": TODAY.isoformat()}))
    assert got == CARRIERS[role]
    assert PreparationItem.objects.exists() == (got == DONE)
    got = _outcome(client.post(url + "budget/", {"kind": "travel", "amount": "100", "currency": "EUR",
                                                 "note": "", "key": f"key-{role}"}))
    assert got == CARRIERS[role]
    assert BudgetLine.objects.filter(kind="travel").exists() == (got == DONE)


@pytest.mark.parametrize("role", ROLES)
def test_confirming_a_stipend_as_each_role(client, request, stay, role):
    _login(client, request, role)
    instalment = StipendInstalment.objects.order_by("month").first()
    got = _outcome(client.post(f"/relocations/{stay.reference}/confirm-stipend/",
                               {"instalment": instalment.pk, "paid_on": TODAY.isoformat()}))
    assert got == FINANCE_ONLY[role]
    instalment.refresh_from_db()
    assert (instalment.paid_on is not None) == (got == DONE)


@pytest.mark.parametrize("role", ROLES)
def test_recording_the_check_in_as_each_role(client, request, stay, caseworker, role):
    relocation_end(relocation=stay, by=caseworker)
    _login(client, request, role)
    got = _outcome(client.post(f"/relocations/{stay.reference}/checkin/",
                               {"done_on": TODAY.isoformat(), "outcome": "safe"}))
    # Ended: the caseworker's personal access went with the end; the team's stays.
    assert got == CARRIERS[role]
    assert (FollowUpCheckIn.objects.get().done_on is not None) == (got == DONE)
