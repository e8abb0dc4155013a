"""Issue 8, item 1: one anonymous client must not be able to block the public form for everyone.

The per-minute limit is global (no IP address is kept), so whatever counts against it is a lever
for anyone. Junk POSTs (a CSRF token and little else, a filled honeypot, a forged, harvested or
replayed form token, a complete form token with empty fields) used to be counted before anything
was checked: 31 of them blocked every real request for the minute. Only a complete form carrying a
valid, unused form token at least the minimum seconds old may count now."""

from __future__ import annotations

import re
import secrets
import time
from itertools import cycle, islice

import pytest
from django.core.cache import cache
from django.test import Client

from grants.models import Grant
from grants.public_forms import REQUEST_FORM
from protect.cases.status_page import STATUS_LOGIN_FORM
from protect.public import ratelimit
from protect.public.form_token import form_token_issue
from protect.public.ratelimit import rate_key
from tests.grants.test_public_request import request_data, secrets_in

pytestmark = pytest.mark.django_db

JUNK_POSTS = 200


def _csrf(browser: Client, path: str) -> tuple[str, str]:
    """(CSRF token, form token) of the page, as a browser or a script gets them."""
    html = browser.get(path).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    return csrf, form_token


def _aged(purpose: str) -> str:
    return form_token_issue(purpose=purpose, now=time.time() - 10)


def test_200_junk_posts_in_a_minute_block_neither_a_real_request_nor_a_real_status_login(settings, monkeypatch):
    # The shipped limits, and a minute of our own.
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 30
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 60
    minute = 10**9 + secrets.randbelow(10**6)
    monkeypatch.setattr(ratelimit, "_clock", lambda: minute * 60.0)

    attacker = Client(enforce_csrf_checks=True)
    csrf, _token = _csrf(attacker, "/request/")
    headers = {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"}
    replayed = _aged(REQUEST_FORM)
    first = attacker.post("/request/", request_data(form_token=replayed) | {"csrfmiddlewaretoken": csrf}, **headers)
    assert first.status_code == 200 and Grant.objects.count() == 1  # the replayed form, sent once for real

    def just_served(purpose: str) -> str:
        """A token as a script harvests it from the page and posts it at once: faster than a person."""
        return form_token_issue(purpose=purpose)

    login = {"action": "login", "receipt_code": "ABCD-EFGH-JKMN", "passphrase": "a b c d e f g"}
    request_junk = [
        lambda: {},  # nothing but the CSRF token
        lambda: {"homepage": "http://spam.example"},
        lambda: request_data(homepage="http://spam.example"),
        lambda: {"form_token": "forged"},
        lambda: {"form_token": just_served(REQUEST_FORM)},
        lambda: request_data(form_token=just_served(REQUEST_FORM)),
        lambda: {"form_token": _aged(REQUEST_FORM)},  # a valid token with nothing filled in
        lambda: request_data(form_token=_aged(REQUEST_FORM), needs=None),  # a valid token, a field missing
        lambda: request_data(form_token=_aged(STATUS_LOGIN_FORM)),  # another form's token
        lambda: request_data(form_token=replayed),  # a used token, replayed
        lambda: request_data(form_token=""),  # a complete form without a token
    ]
    login_junk = [
        lambda: {"action": "login"},
        lambda: {},
        lambda: login,  # no token
        lambda: {"action": "login", "form_token": _aged(STATUS_LOGIN_FORM)},  # a valid token, nothing filled in
        lambda: {"action": "login", "receipt_code": "ABCD-EFGH-JKMN", "form_token": _aged(STATUS_LOGIN_FORM)},
        lambda: login | {"form_token": just_served(STATUS_LOGIN_FORM)},
        lambda: login | {"form_token": "forged"},
        lambda: login | {"form_token": _aged(REQUEST_FORM)},  # another form's token
    ]
    for junk in islice(cycle(request_junk), JUNK_POSTS):
        data = junk()
        response = attacker.post("/request/", data | {"csrfmiddlewaretoken": csrf}, **headers)
        assert response.status_code == 200, data
    for junk in islice(cycle(login_junk), JUNK_POSTS):
        data = junk()
        response = attacker.post("/request/status/", data | {"csrfmiddlewaretoken": csrf}, **headers)
        assert response.status_code == 200, data

    assert Grant.objects.count() == 1  # the junk created nothing
    assert cache.get(rate_key(bucket="request")) == 1  # only the one real submission counted
    assert cache.get(rate_key(bucket="status-login")) is None

    # A real defender, in the same minute: the request goes through...
    defender = Client(enforce_csrf_checks=True)
    csrf, _token = _csrf(defender, "/request/")
    sent = defender.post("/request/", request_data(form_token=_aged(REQUEST_FORM)) | {"csrfmiddlewaretoken": csrf},
                         **headers)
    assert sent.status_code == 200 and "Your request was received" in sent.content.decode()
    assert Grant.objects.count() == 2
    receipt, passphrase = secrets_in(sent.content.decode())

    # ...and so does the status log-in.
    csrf, _token = _csrf(defender, "/request/status/")
    opened = defender.post("/request/status/", {"action": "login", "receipt_code": receipt, "passphrase": passphrase,
                                                "form_token": _aged(STATUS_LOGIN_FORM), "csrfmiddlewaretoken": csrf},
                           **headers)
    assert opened.status_code == 302 and opened["Location"] == "/request/status/"
    assert "We received your request." in defender.get("/request/status/").content.decode()


def test_the_budget_still_holds_against_real_forms(settings, monkeypatch):
    """What does count is still limited: the 31st complete, tokened request of a minute gets the 429."""
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 3
    minute = 10**9 + secrets.randbelow(10**6)
    monkeypatch.setattr(ratelimit, "_clock", lambda: minute * 60.0)
    client = Client()

    statuses = [client.post("/request/", request_data()).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert Grant.objects.count() == 3
