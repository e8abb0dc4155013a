"""The staff pages of relocations, as each role: the board by stage (scoped), the relocation page
offering only the steps the table allows, the actions, and a relocation opened from a grant."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Grant
from protect.cases.services.routing import case_route
from protect.core.errors import PermissionDenied
from relocation.errors import RelocationError
from relocation.models import Relocation
from relocation.services import relocation_create_from_grant
from tests.grants.conftest import DEFENDER, details, hotline_grant  # noqa: F401  the grants fixture
from tests.helpers import login_verified
from tests.relocation.conftest import END, START

pytestmark = pytest.mark.django_db


def test_the_board_groups_the_teams_relocations_by_stage(client, relocation_in, caseworker):
    assessing, preparing = relocation_in("assessing"), relocation_in("preparing")
    login_verified(client, caseworker)
    html = client.get("/relocations/").content.decode()
    assert html.index('id="stage-assessing"') < html.index(assessing.reference) < html.index('id="stage-preparing"')
    assert html.index('id="stage-preparing"') < html.index(preparing.reference)
    assert 'href="/relocations/"' in html  # the menu link


def test_each_stage_of_the_board_shows_its_earliest_deadlines_first_up_to_its_cap(relocation_in, caseworker,
                                                                                  monkeypatch):
    import datetime

    from relocation import selectors

    monkeypatch.setattr(selectors, "BOARD_PER_STAGE", 2)
    assessing = [relocation_in("assessing") for _ in range(3)]
    for days, relocation in zip((3, 1, 2), assessing, strict=True):
        Relocation.objects.filter(pk=relocation.pk).update(sla_due_at=relocation.sla_due_at + datetime.timedelta(days=days))
    preparing = relocation_in("preparing")
    stages = {stage: [r.reference for r in rows] for stage, _label, rows in selectors.relocation_board(caseworker)}
    assert stages["assessing"] == [assessing[1].reference, assessing[2].reference]
    assert stages["preparing"] == [preparing.reference]
    assert stages["requested"] == []


def test_a_caseworker_of_another_team_sees_no_relocation_and_gets_404(client, relocation_in, caseworker_other_team):
    relocation = relocation_in("assessing")
    login_verified(client, caseworker_other_team)
    assert relocation.reference not in client.get("/relocations/").content.decode()
    assert client.get(f"/relocations/{relocation.reference}/").status_code == 404
    response = client.post(f"/relocations/{relocation.reference}/cancel/", {"reason": "Not mine."})
    assert response.status_code == 404
    assert Relocation.objects.get(pk=relocation.pk).status == "assessing"


@pytest.mark.parametrize("role", ["reviewer", "finance", "donor", "host", "partner", "outsider"])
def test_roles_that_do_not_carry_relocations_are_refused(client, request, relocation_in, role):
    relocation = relocation_in("assessing")
    login_verified(client, request.getfixturevalue(role))
    assert client.get("/relocations/").status_code == 403
    assert client.get(f"/relocations/{relocation.reference}/").status_code == 403


def test_the_page_offers_only_the_steps_the_table_allows(client, relocation_in, caseworker, coordinator):
    relocation = relocation_in("assessing")
    login_verified(client, caseworker)
    html = client.get(f"/relocations/{relocation.reference}/").content.decode()
    assert f"/relocations/{relocation.reference}/assess/" in html
    assert f"/relocations/{relocation.reference}/cancel/" in html
    assert f"/relocations/{relocation.reference}/match/" not in html
    assert f"/relocations/{relocation.reference}/extend/" not in html
    assert "Followed and threatened" not in html  # the narrative waits for an audited reveal
    in_residence = relocation_in("in_residence")
    html = client.get(f"/relocations/{in_residence.reference}/").content.decode()
    assert f"/relocations/{in_residence.reference}/extend/" in html
    assert f"/relocations/{in_residence.reference}/cancel/" not in html


def test_a_caseworker_assesses_and_matches_a_host_for_a_family_of_three(client, relocation_in, caseworker, host_of):
    relocation = relocation_in("assessing")  # the defender and two family members
    host = host_of(family_places=2)
    login_verified(client, caseworker)
    url = f"/relocations/{relocation.reference}/"
    assert client.post(url + "assess/", {"assessment": "At risk; eligible."})["Location"] == url
    response = client.post(url + "match/", {"host": host.pk, "starts_on": START.isoformat(),
                                            "ends_on": END.isoformat()})
    assert response["Location"] == url
    relocation = Relocation.objects.get(pk=relocation.pk)
    assert (relocation.status, relocation.host, relocation.starts_on) == ("preparing", host, START)
    assert client.post(url + "start/", {})["Location"] == url
    assert Relocation.objects.get(pk=relocation.pk).status == "in_residence"


def test_a_refused_step_rerenders_the_page_with_the_reason_and_changes_nothing(client, relocation_in, caseworker,
                                                                                 host_of):
    relocation = relocation_in("host_matching")
    login_verified(client, caseworker)
    response = client.post(f"/relocations/{relocation.reference}/match/", {
        "host": host_of(family_places=1).pk, "starts_on": START.isoformat(), "ends_on": END.isoformat()})
    assert response.status_code == 409
    assert "larger than the host" in response.content.decode()
    response = client.post(f"/relocations/{relocation.reference}/match/", {
        "host": host_of().pk, "starts_on": END.isoformat(), "ends_on": START.isoformat()})
    assert response.status_code == 409 and "cannot end before it starts" in response.content.decode()
    assert Relocation.objects.get(pk=relocation.pk).status == "host_matching"


def test_the_reveal_shows_the_application_and_is_audited(client, relocation_in, caseworker, audit_actions):
    relocation = relocation_in("assessing")
    login_verified(client, caseworker)
    html = client.post(f"/relocations/{relocation.reference}/reveal/").content.decode()
    assert "Followed and threatened" in html and "Leila Mansour" in html
    assert "relocation.relocation.revealed" in audit_actions()


def test_a_coordinator_sees_every_relocation(client, relocation_in, coordinator):
    relocation = relocation_in("preparing")
    login_verified(client, coordinator)
    assert relocation.reference in client.get("/relocations/").content.decode()
    assert client.get(f"/relocations/{relocation.reference}/").status_code == 200


# --- from a grant --------------------------------------------------------------------------------


@pytest.fixture
def relocation_grant(db, caseworker, team_africa):
    from grants.services import grant_record_hotline

    grant, _ = grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER),
                                    details=details(needs=["urgent_relocation", "legal"]))
    return case_route(model=Grant, case_id=grant.pk)


def test_staff_open_a_relocation_from_an_urgent_relocation_grant_keeping_the_link(relocation_grant, caseworker):
    relocation = relocation_create_from_grant(grant=relocation_grant, by=caseworker)
    assert relocation.grant == relocation_grant and relocation.defender == relocation_grant.defender
    assert relocation.risk.startswith("Police raided") and not relocation.receipt_index
    assert relocation_create_from_grant(grant=relocation_grant, by=caseworker) == relocation  # a double click
    assert list(relocation_grant.relocations.all()) == [relocation]


def test_a_grant_without_the_relocation_need_opens_no_relocation(hotline_grant, caseworker):  # noqa: F811
    grant = hotline_grant()
    with pytest.raises(RelocationError) as refused:
        relocation_create_from_grant(grant=grant, by=caseworker)
    assert refused.value.field == "grant"
    assert not Relocation.objects.exists()


def test_only_those_who_carry_the_grant_open_a_relocation_from_it(relocation_grant, caseworker_other_team, finance):
    for user in (caseworker_other_team, finance):
        with pytest.raises(PermissionDenied):
            relocation_create_from_grant(grant=relocation_grant, by=user)


def test_the_board_costs_the_same_for_few_and_many_relocations(client, relocation_in, caseworker, host_of):
    """One query per stage (eight), plus the session, the user and their roles and teams: the
    defender and the host of each row come in the same query as the row."""
    login_verified(client, caseworker)
    relocation_in("assessing")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/relocations/").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(3):
        relocation_in("preparing", host=host_of(places=5))
        relocation_in("assessing")
    assert queries() == few
