"""A NUL or another control character in the address is a 400 page, never a crash: PostgreSQL
refuses NUL in a query, and a control character must not reach a query, a log line or a header."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

HOSTILE = [
    "/cases/%00/",
    "/audit/?action=%00",
    "/cases/?q=%00",
    "/cases/G-%00ABC/note/",
    "/dashboard/?year=%00",
    "/request/status/?code=%00",
    "/ar/request/%00/",
    "/fr/request/?lang=%1b[31m",
    "/cases/%0d%0aSet-Cookie:%20x=1/",
    "/accounts/login/?next=/cases/%00/",
    "/healthz?%7f",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_a_control_character_in_the_path_or_query_is_a_400_not_a_crash(coordinator, path):
    client = Client(raise_request_exception=False)
    login_verified(client, coordinator)
    response = client.get(path)
    assert response.status_code in {400, 404}, (path, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    assert "Set-Cookie: x" not in str(response.headers)


def test_an_anonymous_post_with_a_nul_in_the_path_is_refused_before_any_view():
    response = Client(raise_request_exception=False).post("/request/%00/", {"a": "b"})
    assert response.status_code == 400


def test_ordinary_addresses_still_work(coordinator):
    client = Client()
    login_verified(client, coordinator)
    assert client.get("/audit/?action=grants.grant").status_code == 200
    assert client.get("/request/?x=%C3%A9t%C3%A9").status_code == 200
