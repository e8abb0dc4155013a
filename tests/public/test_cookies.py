"""No public page leaves a cookie that outlives the browser session: on a seized phone a lasting
cookie proves, and dates, a visit to the mechanism. Every response of a whole visit is checked:
each public route in each language, GET and POST, a request sent, the status page opened,
answered and left."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

import pytest
from django.test import Client
from django.utils import timezone

from grants.models import Grant
from protect.cases.services.casefile import case_ask_requester
from protect.cases.services.routing import case_route
from tests.grants.test_public_request import request_data, secrets_in
from tests.grants.test_public_status import login_token

pytestmark = pytest.mark.django_db

PREFIXES = ["", "/ar", "/en", "/es", "/fr", "/ru"]


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 100_000
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 100_000


def lasting_cookies(response) -> list[str]:
    """Cookies the browser would keep after it closes: a positive Max-Age or a future Expires
    (a deletion, Max-Age=0 and an Expires in 1970, is what we want)."""
    lasting = []
    for name, morsel in response.cookies.items():
        if morsel["max-age"] != "":
            if int(morsel["max-age"]) > 0:
                lasting.append(f"{name}: {morsel.OutputString()}")
        elif morsel["expires"] and parsedate_to_datetime(morsel["expires"]) > timezone.now():
            lasting.append(f"{name}: {morsel.OutputString()}")
    return lasting


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_no_public_response_sets_a_cookie_that_outlives_the_browser_session(caseworker, team_africa):
    client = Client(enforce_csrf_checks=True)
    seen: list[tuple[str, str, int, list[str]]] = []

    def visit(method: str, path: str, data=None):
        response = client.get(path) if method == "GET" else client.post(path, data or {})
        seen.append((method, path, response.status_code, lasting_cookies(response)))
        return response

    for prefix in PREFIXES:
        form = visit("GET", f"{prefix}/request/")
        assert form.cookies, "the form sets its CSRF cookie: the test must see it"
        visit("POST", f"{prefix}/request/", {"csrfmiddlewaretoken": csrf_token(form.content.decode())})  # incomplete
        status = visit("GET", f"{prefix}/request/status/")
        token = csrf_token(status.content.decode())
        visit("POST", f"{prefix}/request/status/", {"csrfmiddlewaretoken": token, "action": "login",
                                                    "receipt_code": "AAAA-BBBB-CCCC", "passphrase": "no",
                                                    "form_token": login_token()})
        visit("POST", f"{prefix}/request/status/leave/", {"csrfmiddlewaretoken": token})
    # A CSRF refusal (no cookie at all) answers with a fresh form, and so a fresh cookie.
    visit("POST", "/fr/request/", {"pseudonym": "Heron"})

    # A whole visit: the request sent, a question asked, the status page opened, answered and left.
    token = csrf_token(visit("GET", "/request/").content.decode())
    sent = visit("POST", "/request/", request_data(country="KE", channel="none", contact="")
                 | {"csrfmiddlewaretoken": token})
    receipt, passphrase = secrets_in(sent.content.decode())
    grant = case_route(model=Grant, case_id=Grant.objects.get().pk)
    case_ask_requester(case=grant, by=caseworker, question="Which court?")
    token = csrf_token(visit("GET", "/request/status/").content.decode())
    opened = visit("POST", "/request/status/", {"csrfmiddlewaretoken": token, "action": "login",
                                                "receipt_code": receipt, "passphrase": passphrase,
                                                "form_token": login_token()})
    assert opened.status_code == 302 and "sessionid" in opened.cookies  # the anonymous session starts here
    page = visit("GET", "/request/status/")
    assert "Which court?" in page.content.decode()
    token = csrf_token(page.content.decode())
    visit("POST", "/request/status/", {"csrfmiddlewaretoken": token, "action": "answer", "body": "The high court."})
    visit("GET", "/request/status/")
    visit("POST", "/request/status/leave/", {"csrfmiddlewaretoken": token})

    assert len(seen) == 6 * 5 + 1 + 8
    assert [(method, path, cookies) for method, path, _status, cookies in seen if cookies] == []
    assert all(status < 500 for _method, _path, status, _cookies in seen)
