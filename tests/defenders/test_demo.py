"""The demo seeder records ten invented defenders through the services, readable and encrypted."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management.base import OutputWrapper

from protect.core import demo as core_demo
from protect.defenders import demo
from protect.defenders.models import Defender
from protect.defenders.selectors import defenders_visible_to


@pytest.mark.django_db
def test_the_demo_seeder_records_ten_varied_defenders():
    out = StringIO()
    core_demo.seed_users(OutputWrapper(out))
    assert demo.seed in core_demo.registered_seeders()
    demo.seed(OutputWrapper(out))
    defenders = list(Defender.objects.select_related("data_key"))
    assert len(defenders) == len(demo.DEMO_DEFENDERS) == 10
    assert len({d.region for d in defenders}) == 5
    assert {d.legal_name for d in defenders} == {row[1] for row in demo.DEMO_DEFENDERS}
    caseworker = core_demo.get_user_model().objects.get(username="caseworker")
    assert defenders_visible_to(caseworker).count() == 5
    assert "10 defenders" in out.getvalue()
