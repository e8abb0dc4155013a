"""Our own forms post with `Origin: null` (no-referrer policy) and are accepted only from our origin."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _post_login(origin, fetch_site):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    headers = {"HTTP_ORIGIN": origin}
    if fetch_site:
        headers["HTTP_SEC_FETCH_SITE"] = fetch_site
    return client.post("/accounts/login/", {"username": "x", "password": "y", "csrfmiddlewaretoken": token},
                       **headers)


def test_a_same_origin_post_with_a_null_origin_is_accepted():
    assert _post_login("null", "same-origin").status_code == 200  # the form re-rendered: bad credentials


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site", "none", None])
def test_a_null_origin_from_anywhere_else_is_refused(fetch_site):
    assert _post_login("null", fetch_site).status_code == 403


def test_a_foreign_origin_is_refused_even_with_a_token():
    assert _post_login("https://evil.example", "cross-site").status_code == 403
