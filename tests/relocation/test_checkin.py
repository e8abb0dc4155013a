"""The follow-up check-in after return: due when the stay ends (PROTECT_RELOCATION_CHECKIN_DAYS
later), on the relocation page and on the board (the caseworker's queue of relocations), recorded
once by those who carry the relocation."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from protect.core.errors import PermissionDenied
from protect.workflow import WorkflowError
from relocation.models import FollowUpCheckIn
from relocation.services import relocation_end, relocation_record_checkin
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def ended(relocation_in, caseworker, settings):
    settings.PROTECT_RELOCATION_CHECKIN_DAYS = 30

    def make():
        return relocation_end(relocation=relocation_in("in_residence"), by=caseworker)

    return make


def test_ending_the_stay_makes_the_check_in_due(ended):
    relocation = ended()
    checkin = FollowUpCheckIn.objects.get(relocation=relocation)
    assert checkin.due_on == relocation.ended_at.date() + datetime.timedelta(days=30)
    assert checkin.done_on is None


def test_the_check_in_is_on_the_page_and_on_the_board_until_recorded(client, ended, caseworker, audit_actions):
    relocation = ended()
    login_verified(client, caseworker)
    url = f"/relocations/{relocation.reference}/"
    board = client.get("/relocations/").content.decode()
    assert 'id="checkins"' in board and board.index('id="checkins"') < board.index(relocation.reference)
    html = client.get(url).content.decode()
    assert 'id="checkin-h"' in html and f"{url}checkin/" in html
    form = {"done_on": TODAY.isoformat(), "outcome": "needs_support", "note": "Threats resumed on return."}
    assert client.post(url + "checkin/", form)["Location"] == url
    checkin = FollowUpCheckIn.objects.get(relocation=relocation)
    assert (checkin.done_on, checkin.outcome, checkin.recorded_by) == (TODAY, "needs_support", caseworker)
    assert checkin.note == "Threats resumed on return."  # encrypted under the defender's key
    response = client.post(url + "checkin/", form | {"outcome": "safe"})  # twice: refused, nothing changes
    assert response.status_code == 409 and "recorded already" in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.outcome == "needs_support"
    assert audit_actions("relocation.checkin") == ["relocation.checkin.recorded"]
    assert 'id="checkins"' not in client.get("/relocations/").content.decode()
    assert "Needs further support" in client.get(url).content.decode()


def test_bad_check_ins_are_refused_and_change_nothing(client, ended, caseworker):
    relocation = ended()
    login_verified(client, caseworker)
    url = f"/relocations/{relocation.reference}/checkin/"
    for form in ({"done_on": (TODAY + datetime.timedelta(days=1)).isoformat(), "outcome": "safe"},
                 {"done_on": (TODAY - datetime.timedelta(days=1)).isoformat(), "outcome": "safe"},  # before the end
                 {"done_on": TODAY.isoformat(), "outcome": "fine"}):
        assert client.post(url, form).status_code == 400
    assert FollowUpCheckIn.objects.get(relocation=relocation).done_on is None


def test_no_check_in_before_the_stay_ended(relocation_in, caseworker):
    relocation = relocation_in("in_residence")
    with pytest.raises(WorkflowError):
        relocation_record_checkin(relocation=relocation, by=caseworker, done_on=TODAY, outcome="safe")
    assert not FollowUpCheckIn.objects.exists()


def test_only_those_who_carry_the_relocation_record_it(client, ended, caseworker_other_team, finance, reviewer):
    relocation = ended()
    for user in (caseworker_other_team, finance, reviewer):
        with pytest.raises(PermissionDenied):
            relocation_record_checkin(relocation=relocation, by=user, done_on=TODAY, outcome="safe")
    login_verified(client, caseworker_other_team)
    assert relocation.reference not in client.get("/relocations/").content.decode()
    assert client.post(f"/relocations/{relocation.reference}/checkin/",
                       {"done_on": TODAY.isoformat(), "outcome": "safe"}).status_code == 404
    assert FollowUpCheckIn.objects.get(relocation=relocation).done_on is None
