"""The relocation table: each step in order, and the bad input the field knows refused with a clear
error that changes nothing."""

from __future__ import annotations

import datetime

import pytest

from protect.core.errors import PermissionDenied
from protect.workflow import WorkflowError
from relocation.models import FamilyMember, Relocation
from relocation.services import (
    relocation_add_family_member,
    relocation_cancel,
    relocation_end,
    relocation_extend,
    relocation_match,
)
from relocation.workflow import RELOCATION_WORKFLOW, add_months
from tests.relocation.conftest import END, START

pytestmark = pytest.mark.django_db


def _unchanged(relocation: Relocation) -> tuple:
    fresh = Relocation.objects.get(pk=relocation.pk)
    return fresh.status, fresh.host_id, fresh.starts_on, fresh.ends_on


def test_a_public_application_is_routed_to_assessing_with_its_family(applied, caseworker):
    relocation = applied()
    assert relocation.reference.startswith("R-")
    assert relocation.status == "assessing"
    assert relocation.caseworker == caseworker
    assert sorted(relocation.family.values_list("age_band", flat=True)) == ["0-11", "18-64"]


def test_the_whole_stay_from_assessment_to_the_end(relocation_in, caseworker, audit_actions):
    relocation = relocation_in("in_residence")
    assert relocation.status == "in_residence"
    relocation = relocation_extend(relocation=relocation, by=caseworker, ends_on=END + datetime.timedelta(days=30))
    assert relocation.status == "extended"
    relocation = relocation_end(relocation=relocation, by=caseworker)
    assert relocation.status == "ended" and relocation.ended_at is not None
    assert [a for a in audit_actions("relocation.relocation.") if not a.endswith("viewed")][-5:] == [
        "relocation.relocation.match", "relocation.relocation.start_residence", "relocation.relocation.extend",
        "relocation.relocation.end", "relocation.relocation.access_revoked"]


def test_an_end_before_the_start_is_refused(relocation_in, caseworker, host_of):
    relocation = relocation_in("host_matching")
    before = _unchanged(relocation)
    with pytest.raises(WorkflowError) as refused:
        relocation_match(relocation=relocation, by=caseworker, host=host_of(), starts_on=END, ends_on=START)
    assert refused.value.code == "end_before_start"
    assert _unchanged(relocation) == before


def test_a_family_larger_than_the_hosts_family_places_is_refused(relocation_in, caseworker, host_of):
    relocation = relocation_in("host_matching")  # two family members
    before = _unchanged(relocation)
    with pytest.raises(WorkflowError) as refused:
        relocation_match(relocation=relocation, by=caseworker, host=host_of(family_places=1), starts_on=START,
                         ends_on=END)
    assert refused.value.code == "family_too_large"
    assert _unchanged(relocation) == before


def test_overlapping_stays_for_one_host_place_are_refused(relocation_in, caseworker, host_of):
    host = host_of(places=1)
    relocation_in("preparing", host=host)
    second = relocation_in("host_matching")
    before = _unchanged(second)
    with pytest.raises(WorkflowError) as refused:
        relocation_match(relocation=second, by=caseworker, host=host, starts_on=END - datetime.timedelta(days=1),
                         ends_on=END + datetime.timedelta(days=90))
    assert refused.value.code == "host_place_taken"
    assert _unchanged(second) == before
    # The day after the first stay ends, the place is free again.
    relocation_match(relocation=second, by=caseworker, host=host, starts_on=END + datetime.timedelta(days=1),
                     ends_on=END + datetime.timedelta(days=90))


def test_a_host_with_two_places_takes_two_overlapping_stays(relocation_in, host_of):
    host = host_of(places=2)
    relocation_in("preparing", host=host)
    assert relocation_in("preparing", host=host).host == host


def test_an_extension_past_twelve_months_needs_a_coordinator(relocation_in, caseworker, coordinator):
    relocation = relocation_in("in_residence")
    too_long = add_months(START, 12) + datetime.timedelta(days=1)
    before = _unchanged(relocation)
    with pytest.raises(WorkflowError) as refused:
        relocation_extend(relocation=relocation, by=caseworker, ends_on=too_long)
    assert refused.value.code == "coordinator_required"
    assert _unchanged(relocation) == before
    assert relocation_extend(relocation=relocation, by=coordinator, ends_on=too_long).ends_on == too_long


def test_an_extension_within_twelve_months_is_the_caseworkers_and_applies_once(relocation_in, caseworker):
    relocation = relocation_in("in_residence")
    new_end = add_months(START, 12)
    relocation = relocation_extend(relocation=relocation, by=caseworker, ends_on=new_end)
    again = relocation_extend(relocation=relocation, by=caseworker, ends_on=new_end)  # a double click
    assert again.ends_on == new_end and again.status == "extended"


def test_an_extension_must_end_later(relocation_in, caseworker):
    relocation = relocation_in("in_residence")
    with pytest.raises(WorkflowError) as refused:
        relocation_extend(relocation=relocation, by=caseworker, ends_on=END)
    assert refused.value.code == "not_later"


@pytest.mark.parametrize("state", ["assessing", "host_matching", "preparing"])
def test_cancel_before_the_residence_needs_a_reason(relocation_in, caseworker, state):
    relocation = relocation_in(state)
    with pytest.raises(WorkflowError):
        relocation_cancel(relocation=relocation, by=caseworker, reason=" ")
    relocation = relocation_cancel(relocation=relocation, by=caseworker, reason="Found safety at home.")
    assert relocation.status == "cancelled"
    assert Relocation.objects.get(pk=relocation.pk).cancel_reason == "Found safety at home."


def test_no_cancel_once_in_residence(relocation_in, caseworker):
    relocation = relocation_in("in_residence")
    with pytest.raises(WorkflowError) as refused:
        relocation_cancel(relocation=relocation, by=caseworker, reason="Too late.")
    assert refused.value.code == "invalid_transition"


def test_a_caseworker_of_another_team_cannot_act(relocation_in, caseworker_other_team):
    relocation = relocation_in("assessing")
    with pytest.raises(PermissionDenied):
        relocation_cancel(relocation=relocation, by=caseworker_other_team, reason="Not mine.")


def test_family_changes_only_before_a_host_is_matched(relocation_in, caseworker):
    relocation = relocation_in("assessing")
    relocation_add_family_member(relocation=relocation, by=caseworker, age_band="65+", needs="Wheelchair")
    assert FamilyMember.objects.filter(relocation=relocation).count() == 3
    preparing = relocation_in("preparing")
    with pytest.raises(WorkflowError):
        relocation_add_family_member(relocation=preparing, by=caseworker, age_band="65+")


def test_status_groups_name_only_known_statuses():
    assert set(RELOCATION_WORKFLOW.group("open")) < set(Relocation.Status.values)
    assert RELOCATION_WORKFLOW.group("awaiting_decision") == ("requested", "assessing")


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(datetime.date(2031, 1, 31), 1) == datetime.date(2031, 2, 28)
    assert add_months(datetime.date(2031, 3, 1), 12) == datetime.date(2032, 3, 1)
