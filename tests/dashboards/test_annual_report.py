"""The annual report prints the year of the mechanism's first report exactly, page and exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command

from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

LEAD = ("330 emergency grants to defenders at high risk, 73 temporary relocations for 150 people "
        "(EUR 700,000), 37 grants to organisations (EUR 300,000), 430 urgent alerts.")


@pytest.fixture
def first_year():
    call_command("generate_bench_data", "--first-year", "2017", stdout=io.StringIO())


def test_the_2017_report_reads_like_the_first_annual_report(client, donor, first_year):
    login_verified(client, donor)
    html = client.get("/dashboard/report/2017/").content.decode()
    lead = re.search(r'<p class="report-lead" id="report-lead">(.*?)</p>', html, re.S).group(1)
    assert " ".join(lead.split()) == LEAD
    assert "<script" not in html and "@media print" not in html  # print rules live in the stylesheet


def test_the_2017_report_exports_hold_the_same_figures(client, donor, first_year):
    from openpyxl import load_workbook

    login_verified(client, donor)
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/report/2017/export.csv").content.decode())))
    headline = {label: (count, people, eur) for section, label, count, people, eur in rows if section == "headline"}
    assert headline["Emergency grants to defenders"][0] == "330"
    assert headline["Temporary relocations"] == ("73", "150", "700000")
    assert headline["Grants to organisations"] == ("37", "", "300000")
    assert headline["Urgent alerts published"][0] == "430"
    book = load_workbook(io.BytesIO(client.get("/dashboard/report/2017/export.xlsx").content))
    cells = [["" if v is None else str(v) for v in row] for row in book["figures"].iter_rows(values_only=True)]
    assert cells == rows


def test_the_report_of_a_year_to_come_is_not_found(client, donor):
    login_verified(client, donor)
    assert client.get("/dashboard/report/2999/").status_code == 404
    assert client.get("/dashboard/report/2999/export.csv").status_code == 404
