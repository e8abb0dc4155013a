"""SQL helpers the ORM does not write the way the pages need it."""

from __future__ import annotations

import pytest

from protect.accounts.models import User
from protect.core.sql import capped_counts

pytestmark = pytest.mark.django_db


def test_capped_counts_counts_each_queryset_up_to_its_cap_in_one_statement(django_assert_num_queries):
    for n in range(5):
        User.objects.create(username=f"counted-{n}")
    people = User.objects.filter(username__startswith="counted-").order_by().values("pk")
    with django_assert_num_queries(1):
        counts = capped_counts({"all": people, "capped": people[:3], "one": people.filter(username="counted-1")})
    assert counts == {"all": 5, "capped": 3, "one": 1}


def test_a_queryset_that_matches_nothing_counts_zero_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert capped_counts({"none": User.objects.none()}) == {"none": 0}
    everyone = User.objects.count()
    with django_assert_num_queries(1):
        counts = capped_counts({"none": User.objects.none(), "all": User.objects.values("pk")})
    assert counts == {"none": 0, "all": everyone}
