"""Donors see aggregates with small cells suppressed, never a person; erasure changes no figure."""

import pytest
from django.core.management import call_command

from grants import services
from grants.models import Grant
from protect.cases.services.routing import case_route
from protect.dashboards.selectors import dashboard_as_dict, donor_dashboard
from protect.dashboards.services import rollups_rebuild
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
    grants = [_funded_grant(caseworker, reviewer, n) for n in range(6)]
    rollups_rebuild()  # what the workers do after each decision (tests/dashboards/test_freshness.py)
    return grants


def test_regions_with_five_or_more_grants_show_rounded_counts_and_the_rest_is_suppressed(six_funded_grants):
    dashboard = donor_dashboard()
    by_region = {cell.label: cell for cell in dashboard.by_region}
    assert by_region["Africa"].count == 5 and by_region["Africa"].eur == 12_000  # 6, rounded to 5: the year runs
    assert all(cell.suppressed for label, cell in by_region.items() if label != "Africa")
    assert dashboard.defenders_supported.count == 5
    needs = {cell.label: cell.count for cell in dashboard.by_need}
    assert needs["Legal support"] == 5 and needs["Medical care (psychosocial included)"] is None


def test_erasing_a_defender_changes_no_figure(six_funded_grants, coordinator):
    before = dashboard_as_dict(donor_dashboard())
    call_command("erase_defender", six_funded_grants[0].defender.reference, "--by", coordinator.username,
                 "--reason", "Requested by the defender through the hotline.")
    rollups_rebuild()
    assert dashboard_as_dict(donor_dashboard()) == before


def test_the_donor_page_and_exports_name_nobody(client, donor, six_funded_grants):
    login_verified(client, donor)
    html = client.get("/dashboard/").content.decode()
    assert "Defenders supported" in html
    exported = client.get("/dashboard/export.csv").content.decode()
    assert "Emergency grants to defenders" in exported
    for grant in six_funded_grants:
        for text in (html, exported):
            assert grant.reference not in text and grant.defender.pseudonym not in text
            assert grant.defender.reference not in text


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/export.csv", "/dashboard/export.xlsx",
                                  "/dashboard/report/2025/", "/dashboard/report/2025/export.csv",
                                  "/dashboard/report/2025/export.xlsx"])
@pytest.mark.parametrize(("who", "status"), [("donor", 200), ("coordinator", 200), ("caseworker", 403),
                                             ("finance", 403), ("partner", 403), ("outsider", 403)])
def test_only_donors_and_coordinators_open_the_dashboard(client, request, who, status, path):
    login_verified(client, request.getfixturevalue(who))
    assert client.get(path).status_code == status


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("query", ["year=abc", "year=1990", "quarter=5", "start=2017-13&end=2017-12",
                                   "start=2018-01&end=2017-01", "region=mars", "need=cake", "profile=x",
                                   "country=K1"])
def test_a_filter_that_cannot_be_read_is_refused_with_a_message(client, donor, query):
    login_verified(client, donor)
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400 and b'role="alert"' in response.content
    assert client.get(f"/dashboard/export.csv?{query}").status_code == 400


def test_a_filter_narrowing_below_five_defenders_says_so_instead_of_numbers(client, donor, six_funded_grants):
    login_verified(client, donor)
    html = client.get("/dashboard/?region=mena").content.decode()
    assert "too few to show any figure" in html and "Defenders supported" not in html
    exported = client.get("/dashboard/export.csv?region=mena").content.decode()
    assert "Too few defenders" in exported and "Emergency grants" not in exported


def test_charts_are_accessible_svg_with_their_data_behind_details(client, donor, six_funded_grants):
    login_verified(client, donor)
    html = client.get("/dashboard/").content.decode()
    assert html.count("<svg") == 4 and html.count("<details>") == 4
    assert html.count("<title id=") == 4 and html.count("<desc id=") == 4
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_xlsx_export_holds_what_the_csv_holds(client, donor, six_funded_grants):
    import csv
    import io

    from openpyxl import load_workbook

    login_verified(client, donor)
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/export.csv").content.decode())))
    book = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").content))
    cells = [["" if v is None else str(v) for v in row] for row in book["figures"].iter_rows(values_only=True)]
    assert cells == rows


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
    rollups_rebuild()
    assert queries() == empty
