"""Personal access to a case ends with its reason: when the case is reassigned, when its
caseworker leaves the team, when the case is closed. Coordinators still see closed cases, the
team's caseworkers through the team, finance the grants it paid."""

from __future__ import annotations

import pytest

from grants.models import Grant, GrantUserObjectPermission
from protect.accounts.services import team_remove_member
from protect.audit.models import AuditEvent
from protect.cases.access import can_act, can_view
from protect.cases.errors import CaseError
from protect.cases.services.routing import case_reassign, case_route
from protect.cases.services.transitions import case_transition
from protect.core.errors import PermissionDenied
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def _personal(user, grant) -> bool:
    return GrantUserObjectPermission.objects.filter(user=user, content_object=grant).exists()


@pytest.fixture
def colleague(team_africa):
    user = make_user("kofi", "caseworker")
    team_africa.members.add(user)
    return user


def test_a_caseworker_removed_from_the_team_loses_its_cases(caseworker, coordinator, team_africa, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    assert grant.caseworker == caseworker and _personal(caseworker, grant)
    team_remove_member(team=team_africa, user=caseworker, by=coordinator)
    assert not _personal(caseworker, grant)
    assert not can_view(caseworker, grant) and not can_act(caseworker, grant)
    assert AuditEvent.objects.filter(action="grants.grant.team_access_revoked").exists()


def test_removal_from_a_team_keeps_access_to_other_teams_cases(caseworker, coordinator, team_africa,
                                                               caseworker_other_team, hotline_grant):
    from protect.accounts.models import Team

    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    mena = Team.objects.get(name="MENA desk")
    mena.members.add(caseworker)
    team_remove_member(team=mena, user=caseworker, by=coordinator)
    assert _personal(caseworker, grant) and can_view(caseworker, grant)


def test_reassigning_takes_access_from_the_previous_caseworker(caseworker, colleague, coordinator, team_africa,
                                                               hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    # The previous caseworker leaves the team as well, so only personal access could let them in.
    grant = case_reassign(case=grant, to=colleague, by=coordinator)
    assert grant.caseworker == colleague and _personal(colleague, grant) and not _personal(caseworker, grant)
    event = AuditEvent.objects.get(action="grants.grant.reassigned")
    assert event.data == {"from_user_id": caseworker.pk, "to_user_id": colleague.pk}
    team_africa.members.remove(caseworker)
    assert not can_view(caseworker, grant)
    assert can_act(colleague, grant)
    case_reassign(case=grant, to=colleague, by=coordinator)  # again: nothing changes
    assert AuditEvent.objects.filter(action="grants.grant.reassigned").count() == 1


def test_only_a_coordinator_reassigns_and_only_within_the_team(caseworker, colleague, coordinator,
                                                               caseworker_other_team, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    with pytest.raises(PermissionDenied):
        case_reassign(case=grant, to=colleague, by=caseworker)
    with pytest.raises(CaseError):
        case_reassign(case=grant, to=caseworker_other_team, by=coordinator)
    assert Grant.objects.get(pk=grant.pk).caseworker == caseworker


def test_closing_a_case_ends_every_personal_access_but_not_the_coordinators_or_the_teams(
    grant_in, caseworker, reviewer, finance, coordinator, team_africa, caseworker_other_team,
):
    grant = grant_in("closed")
    assert not GrantUserObjectPermission.objects.filter(content_object=grant).exists()
    assert not can_view(reviewer, grant)  # the reviewer's part is over; the audit log keeps it
    assert AuditEvent.objects.filter(action="grants.grant.access_revoked", target_id=str(grant.pk)).exists()
    assert can_view(coordinator, grant) and can_view(finance, grant) and can_view(caseworker, grant)
    team_africa.members.remove(caseworker)
    assert not can_view(type(caseworker).objects.get(pk=caseworker.pk), grant)  # a new request: teams read again
    assert not can_view(caseworker_other_team, grant)


@pytest.mark.parametrize("action", ["reject", "withdraw"])
def test_every_exit_from_open_ends_personal_access(caseworker, hotline_grant, action):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case_transition(case=grant, by=caseworker, action=action, reason="Asked to stop.")
    assert not GrantUserObjectPermission.objects.filter(content_object=grant).exists()
    assert Grant.objects.get(pk=grant.pk).caseworker == caseworker  # who handled it stays recorded
