"""A queue tab is written so that PostgreSQL reads each list of ids once (access.case_scope with `within`);
whatever the role, it must hold exactly the cases the user may see (case_scope) that meet the tab."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db.models import Q

from grants.models import Grant
from protect.accounts.models import Team
from protect.accounts.roles import Role
from protect.cases.access import case_grant_access, case_revoke_access, case_scope, team_q
from protect.cases.selectors import QueueFilters, case_queue, mine_parts
from protect.workflow import workflow_for
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

PERSONAL = ("reviewer", "second_approver")


@pytest.fixture
def tangled_desk(grant_in, caseworker, caseworker_other_team, reviewer, partner):
    """Grants whose assignment, team and permissions disagree in every way the rules allow."""
    mena = Team.objects.get(name="MENA desk")
    routed, reviewed, approved, closed = (grant_in(state) for state in ("triage", "under_review", "approved",
                                                                         "closed"))
    # The caseworker's name is still on a case moved to another desk, but their permission was taken
    # back: "my cases" must not show it, although the caseworker field says them.
    moved = grant_in("triage")
    Grant.objects.filter(pk=moved.pk).update(team=mena)
    case_revoke_access(case=moved, user=caseworker)
    # Another desk's case opened to the caseworker by a personal permission, and one to the MENA
    # caseworker's role group (a group permission).
    lent = grant_in("triage")
    Grant.objects.filter(pk=lent.pk).update(team=mena, caseworker=caseworker_other_team)
    case_grant_access(case=lent, user=caseworker)
    grouped = grant_in("info_requested")
    Grant.objects.filter(pk=grouped.pk).update(team=None, caseworker=None)
    case_revoke_access(case=grouped, user=caseworker)
    case_grant_access(case=grouped, group=Group.objects.get(name=Role.REVIEWER))
    referred = grant_in("triage")
    Grant.objects.filter(pk=referred.pk).update(referred_by=partner, team=mena)
    case_revoke_access(case=referred, user=caseworker)
    return [routed, reviewed, approved, closed, moved, lent, grouped, referred]


def test_a_tab_holds_exactly_the_visible_cases_that_meet_it_for_every_role(
        tangled_desk, caseworker, caseworker_other_team, reviewer, finance, coordinator, partner, outsider):
    # A reviewer who also pays, and a caseworker who also reviews: reaches of two roles at once.
    reviewing_payer = make_user("rita", Role.REVIEWER, Role.FINANCE)
    reviewing_caseworker = make_user("ali", Role.CASEWORKER, Role.REVIEWER)
    Team.objects.get(name="Africa desk").members.add(reviewing_caseworker)
    users = (caseworker, caseworker_other_team, reviewer, finance, coordinator, partner, outsider, reviewing_payer,
             reviewing_caseworker)
    for user in users:
        for open_only in (True, False):
            cases = Grant.objects.all()
            if open_only:
                cases = cases.filter(status__in=workflow_for(Grant).group("open"))
            tabs = {"mine": mine_parts(user, Grant, *PERSONAL), "team": [team_q(user)]}
            for scope, parts in tabs.items():
                either = Q(pk__in=[])
                for part in parts:
                    either |= part
                expected = set(case_scope(user, cases).filter(either).values_list("reference", flat=True))
                within = set(case_scope(user, cases, parts).values_list("reference", flat=True))
                assert within == expected, (user.username, scope, open_only)
                page = case_queue(user, Grant, QueueFilters(scope=scope, open_only=open_only), limit=100,
                                  personal=PERSONAL, count_scopes=(scope,))
                assert {grant.reference for grant in page.rows} == expected, (user.username, scope, open_only)
                assert page.counts[scope] == len(expected)
    # The tangles are real: the caseworker's name alone, on another desk's case, shows nothing.
    moved = tangled_desk[4]
    assert moved.reference not in {g.reference for g in case_queue(
        caseworker, Grant, QueueFilters(scope="mine"), personal=PERSONAL).rows}
    lent = tangled_desk[5]
    assert lent.reference in {g.reference for g in case_queue(
        caseworker, Grant, QueueFilters(scope="mine"), personal=PERSONAL).rows}
    grouped = tangled_desk[6]
    assert grouped.reference in {g.reference for g in case_queue(
        reviewer, Grant, QueueFilters(scope="mine"), personal=PERSONAL).rows}


def test_a_kept_queue_statement_sees_a_new_permission_team_or_role_at_the_next_page(
        grant_in, caseworker, caseworker_other_team):
    """The queue keeps its statements per process (selectors._queue_statements); what a user may see
    must still change from one page to the next, as each request loads its user afresh."""
    from protect.accounts.models import User
    from protect.cases import selectors

    def queue(scope: str) -> set[str]:
        user = User.objects.get(pk=caseworker.pk)  # as the next request loads them
        page = case_queue(user, Grant, QueueFilters(scope=scope), personal=PERSONAL, count_scopes=("mine", "team"))
        assert page.counts[scope] == len(page.rows)
        return {grant.reference for grant in page.rows}

    mena = Team.objects.get(name="MENA desk")
    lent = grant_in("triage")
    Grant.objects.filter(pk=lent.pk).update(team=mena, caseworker=caseworker_other_team)
    case_revoke_access(case=lent, user=caseworker)
    assert lent.reference not in queue("mine")
    kept = len(selectors._queue_kept)

    case_grant_access(case=lent, user=caseworker)  # a permission: the same statement, read afresh
    assert lent.reference in queue("mine")
    assert len(selectors._queue_kept) == kept

    assert lent.reference not in queue("team")
    mena.members.add(caseworker)  # a team: another statement
    assert lent.reference in queue("team")

    caseworker.groups.clear()  # no role left: nothing at all
    assert queue("mine") == set() and queue("team") == set()


def test_the_queue_keeps_a_bounded_number_of_statements(caseworker, monkeypatch):
    from protect.cases import selectors

    monkeypatch.setattr(selectors, "QUEUE_STATEMENTS_KEPT", 3)
    for status in ("submitted", "triage", "under_review", "approved", "closed"):
        case_queue(caseworker, Grant, QueueFilters(scope="mine", status=status), personal=PERSONAL)
    assert len(selectors._queue_kept) == 3
