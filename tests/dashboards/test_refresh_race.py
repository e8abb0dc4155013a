"""A decision committed while its case's refresh is running still reaches the month's rollup.

The refresh checks whether the case's counted facts changed, then replaces them; a transition that
committed between the two wrote a counted fact that no month summed, and the transition's own
refresh then found that fact unchanged and summed nothing either (seen once in CI as a rollup that
never came). The refresh now holds its cases until it commits, so the transition waits for it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from grants import services
from grants.models import Grant
from protect.cases.services.routing import case_route
from protect.dashboards import services as dashboards
from protect.dashboards.models import CaseFact, MonthRollup
from tests.grants.conftest import DEFENDER, details

pytestmark = pytest.mark.django_db(transaction=True)


def _grant_awaiting_decision(caseworker, reviewer) -> Grant:
    grant, _ = services.grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER), details=details())
    grant = case_route(model=Grant, case_id=grant.pk)
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    return services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                        verification=["partner_asked"], note="")


def test_an_approval_committed_during_its_cases_refresh_still_reaches_the_month(
        team_africa, caseworker, reviewer, monkeypatch):
    grant = _grant_awaiting_decision(caseworker, reviewer)
    while dashboards.rollup_refresh_pending(kind="grant"):  # the refreshes queued so far: nothing counted
        pass
    assert not MonthRollup.objects.filter(kind="grant").exists()

    checked, resume = threading.Event(), threading.Event()
    replace_facts = dashboards._replace_facts

    def replace_once_the_approval_had_its_chance(kind, ids):
        if threading.current_thread().name == "refresh":
            checked.set()  # the check is done: nothing counted changed
            resume.wait(10)
        return replace_facts(kind, ids)

    monkeypatch.setattr(dashboards, "_replace_facts", replace_once_the_approval_had_its_chance)

    def in_thread(work):
        def run():
            try:
                work()
            finally:
                connection.close()
        return run

    refresh = threading.Thread(name="refresh", target=in_thread(
        lambda: dashboards.rollup_refresh_case(kind="grant", case_id=grant.pk)))
    approval = threading.Thread(name="approval", target=in_thread(
        lambda: services.grant_approve(grant=Grant.objects.get(pk=grant.pk), by=reviewer, amount_minor=300_000)))
    refresh.start()
    assert checked.wait(10)
    approval.start()
    approval.join(2)
    approval_waited = approval.is_alive()  # for the refresh holding the case
    resume.set()
    refresh.join(20)
    approval.join(20)
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.APPROVED

    while dashboards.rollup_refresh_pending(kind="grant"):  # the approval's own refresh, as its worker runs it
        pass
    assert CaseFact.objects.filter(kind="grant", case_id=grant.pk, counted=True).exists()
    assert MonthRollup.objects.filter(kind="grant", need="", profile="", region="africa", cases=1,
                                      eur_minor=300_000).exists()
    assert approval_waited
