"""generate_bench_data writes rows by COPY, sealed in bulk: the app opens them like any other."""

from __future__ import annotations

import pytest

from grants.models import Grant
from protect.dashboards.benchdata import generate
from relocation.models import Relocation
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_data():
    generate(300, log=lambda _line: None, background=False)


def test_a_generated_grant_opens_on_its_case_page(client, coordinator, bench_data):
    grant = Grant.objects.select_related("defender").order_by("-pk").first()
    assert grant.incident == "Bench incident narrative" and grant.threat == "Bench threat"
    assert grant.need_details == "" and grant.endorsers == []
    assert grant.defender.risk_notes == "Bench risk notes" and grant.defender.contacts == {}
    relocation = Relocation.objects.order_by("-pk").first()
    assert relocation.risk == "Bench risk" and all(m.needs == "" for m in relocation.family.all())
    login_verified(client, coordinator)
    assert client.get(grant.get_absolute_url()).status_code == 200
    revealed = client.post(f"{grant.get_absolute_url()}reveal/", follow=True)  # the audited reveal decrypts
    assert revealed.status_code == 200 and "Bench incident narrative" in revealed.content.decode()


