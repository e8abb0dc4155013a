"""A donor, tried as a new user would, finds no route, export or API call returning a person-level
row: every route of the project (admin and API included) is asked as the donor, with a year of
data in the rollups, and no answer holds a defender's reference or pseudonym or a case reference."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from alerts.models import Alert
from grants.models import Grant
from protect.defenders.models import Defender
from relocation.models import Relocation
from tests.helpers import login_verified
from tests.security.test_permission_matrix import MATRIX, all_routes, concrete, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_no_answer_to_a_donor_names_a_person_or_a_case(client, donor, world):  # noqa: F811 - the fixture
    call_command("generate_bench_data", "--first-year", "2017", stdout=io.StringIO())
    references = set(Defender.objects.values_list("reference", flat=True))
    for model in (Grant, Relocation, Alert):
        references |= set(model.objects.values_list("reference", flat=True))
    # A pseudonym as a name of its own: "Swift" is also in the time-zone list ("America/Swift Current").
    pseudonyms = [re.compile(rf"(?<![\w/]){re.escape(p)}(?![\w ])")
                  for p in set(Defender.objects.values_list("pseudonym", flat=True))]
    login_verified(client, donor)
    paths = [concrete(route, world) for route in all_routes()]
    paths += ["/dashboard/?year=2017", "/dashboard/export.csv?year=2017", "/dashboard/export.xlsx?year=2017",
              "/dashboard/?year=2017&region=africa&need=legal", "/dashboard/report/2017/",
              "/dashboard/report/2017/export.csv", "/api/v1/referrals/", "/api/v1/alerts/"]
    answered = []
    for path in paths:
        route = next((r for r in MATRIX if concrete(r, world) == path), None)
        if route is not None and MATRIX[route].method != "get":
            continue
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        leaked = [s for s in references if s in text] + [p for p in pseudonyms if p.search(text)]
        assert leaked == [], f"{path} answered the donor with {leaked[:3]}"
        if response.status_code == 200:
            answered.append(path)
    assert "/dashboard/report/2017/" in answered and "/dashboard/export.csv?year=2017" in answered
