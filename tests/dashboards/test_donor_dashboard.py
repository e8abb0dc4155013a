"""Donors see aggregates with small cells suppressed, never a person; erasure changes no figure."""

import pytest
from django.core.management import call_command

from grants import services
from grants.models import Grant
from protect.cases.services.routing import case_route
from protect.dashboards.selectors import dashboard_as_dict, donor_dashboard
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _funded_grant(caseworker, reviewer, n, amount_minor=200_000):
    defender = dict(DEFENDER, pseudonym=f"Heron {n}", legal_name=f"Person {n}", contacts={"phone": f"+25470000{n:04d}"})
    grant, _ = services.grant_record_hotline(by=caseworker, defender_data=defender, details=details())
    grant = case_route(model=Grant, case_id=grant.pk)
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve", verification=["partner_asked"],
                                 note="")
    return services.grant_approve(grant=grant, by=reviewer, amount_minor=amount_minor)


@pytest.fixture
def six_funded_grants(team_africa, caseworker, reviewer):
    return [_funded_grant(caseworker, reviewer, n) for n in range(6)]


def test_regions_with_five_or_more_grants_show_counts_and_the_rest_is_suppressed(six_funded_grants):
    dashboard = donor_dashboard()
    by_region = {cell.label: cell for cell in dashboard.by_region}
    assert by_region["Africa"].count == 6 and by_region["Africa"].eur == 12_000
    assert all(cell.suppressed for label, cell in by_region.items() if label != "Africa")
    assert dashboard.defenders_supported.count == 6
    needs = {cell.label: cell.count for cell in dashboard.by_need}
    assert needs["Legal support"] == 6 and needs["Medical care (psychosocial included)"] is None


def test_erasing_a_defender_changes_no_figure(six_funded_grants, coordinator):
    before = dashboard_as_dict(donor_dashboard())
    call_command("erase_defender", six_funded_grants[0].defender.reference, "--by", coordinator.username,
                 "--reason", "Requested by the defender through the hotline.")
    assert dashboard_as_dict(donor_dashboard()) == before


def test_the_donor_page_names_nobody(client, donor, six_funded_grants):
    login_verified(client, donor)
    html = client.get("/dashboard/").content.decode()
    assert "Defenders supported" in html
    for grant in six_funded_grants:
        assert grant.reference not in html and grant.defender.pseudonym not in html
        assert grant.defender.reference not in html


@pytest.mark.parametrize(("who", "status"), [("donor", 200), ("coordinator", 200), ("caseworker", 403),
                                             ("finance", 403), ("partner", 403), ("outsider", 403)])
def test_only_donors_and_coordinators_open_the_dashboard(client, request, who, status):
    login_verified(client, request.getfixturevalue(who))
    assert client.get("/dashboard/").status_code == status


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_dashboard_costs_the_same_queries_with_no_grant_and_with_many(client, donor, team_africa, caseworker,
                                                                         reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_verified(client, donor)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/").status_code == 200
        return len(captured)

    empty = queries()
    for n in range(6):
        _funded_grant(caseworker, reviewer, n)
    assert queries() == empty
