"""Issue 9, item 4: a lost CSRF cookie loses nothing. A public form (the grant request, the
relocation application) or the status log-in sent from our own page without its cookie comes back
with what was typed and a calm word to send it again, acting on nothing and storing nothing; sent
again, it goes through. A post from another origin (or with no origin) is never echoed back, so no
one can prefill a form or a status log-in in someone else's browser. Staff forms get a translated
403 page (CSRF_FAILURE_VIEW)."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from grants.models import Grant
from grants.public_forms import REQUEST_FORM
from grants.services import grant_submit_public
from protect.audit.models import AuditEvent
from protect.cases.status_page import STATUS_LOGIN_FORM
from protect.defenders.models import Defender
from protect.public.form_token import form_token_check, form_token_issue, form_token_used
from relocation.models import Relocation
from relocation.public_forms import APPLICATION_FORM
from tests.grants.conftest import details
from tests.grants.test_public_request import request_data

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"}
NOTICE = {"en": "did not send back this site&#x27;s cookie", "ar": "لم يُرجِع متصفّحك", "es": "no devolvió la cookie",
          "fr": "n’a pas renvoyé le cookie", "ru": "не вернул файл cookie"}


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 100_000
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 100_000


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("lang", list(NOTICE))
def test_the_request_form_comes_back_with_what_was_typed_and_nothing_is_stored(lang):
    browser = Client(enforce_csrf_checks=True)  # never opened the page: no cookie, as if it was deleted
    data = request_data(pseudonym="Heron", incident="They took my laptop & my <notes>.")

    response = browser.post(f"/{lang}/request/", data, **SAME_ORIGIN)

    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{lang}"' in html and NOTICE[lang] in html
    assert 'value="Heron"' in html and "They took my laptop &amp; my &lt;notes&gt;." in html
    assert 'value="+961 70 000 000"' in html and re.search(r'value="journalist"[^>]*checked', html)
    assert not Grant.objects.exists() and not Defender.objects.exists()
    assert not Session.objects.exists(), "nothing kept on the server"
    token = form_token_check(token=data["form_token"], purpose=REQUEST_FORM)
    assert not form_token_used(token=token), "the form token was not spent"
    assert f'name="form_token" value="{data["form_token"]}"' in html, "the same form token, still good"


def test_sent_again_with_the_new_cookie_it_goes_through_once():
    browser = Client(enforce_csrf_checks=True)
    data = request_data()
    again = browser.post("/request/", data, **SAME_ORIGIN)

    received = browser.post("/request/", data | {"csrfmiddlewaretoken": csrf_token_in(again.content.decode())},
                            **SAME_ORIGIN)

    assert received.status_code == 200 and "Your request was received" in received.content.decode()
    assert Grant.objects.count() == 1


def test_the_form_shows_every_error_in_the_same_round():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/request/", request_data(incident="", threat="", pseudonym=""), **SAME_ORIGIN)
    html = response.content.decode()
    assert 'class="error-summary"' in html and html.count('invalid"') >= 2
    assert not Grant.objects.exists()


@pytest.mark.parametrize("origin", [{"HTTP_ORIGIN": "https://evil.example"}, {}])
def test_a_post_from_elsewhere_or_without_an_origin_is_never_echoed(origin):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/request/", request_data(pseudonym="Planted"), **origin)

    html = response.content.decode()
    assert response.status_code == 403 and "The form could not be accepted" in html
    assert "Planted" not in html and not Grant.objects.exists()


def test_the_relocation_application_comes_back_with_what_was_typed():
    from tests.relocation.test_public_application import application_data

    browser = Client(enforce_csrf_checks=True)
    data = application_data() | {"form_token": form_token_issue(purpose=APPLICATION_FORM, now=time.time() - 10)}

    response = browser.post("/fr/relocation/apply/", data, **SAME_ORIGIN)

    html = response.content.decode()
    assert response.status_code == 403 and NOTICE["fr"] in html
    assert data["risk"] in html.replace("&#x27;", "'")
    assert not Relocation.objects.exists()


@pytest.fixture
def receipt():
    _grant, requester = grant_submit_public(
        defender_data={"pseudonym": "Kestrel", "legal_name": "", "country": "KE", "languages": ["ru"]},
        details=details(language="ru"))
    return requester


def test_the_status_log_in_comes_back_with_what_was_typed_and_nothing_is_tried(receipt):
    browser = Client(enforce_csrf_checks=True)
    before = AuditEvent.objects.filter(action__startswith="cases.requester.").count()
    login = {"action": "login", "receipt_code": receipt.receipt_code, "passphrase": receipt.passphrase,
             "form_token": form_token_issue(purpose=STATUS_LOGIN_FORM, now=time.time() - 10)}

    response = browser.post("/ru/request/status/", login, **SAME_ORIGIN)

    html = response.content.decode()
    assert response.status_code == 403 and NOTICE["ru"] in html
    assert f'value="{receipt.receipt_code}"' in html and f'value="{receipt.passphrase}"' in html
    assert AuditEvent.objects.filter(action__startswith="cases.requester.").count() == before, "nothing tried"
    assert not Session.objects.exists()

    # Sent again with the cookie the page set (and, as a person would after reading, a token old enough).
    opened = browser.post("/ru/request/status/", login | {"csrfmiddlewaretoken": csrf_token_in(html)}, **SAME_ORIGIN)
    assert opened.status_code == 302 and opened["Location"] == "/ru/request/status/"


def test_a_status_log_in_from_elsewhere_is_never_prefilled(receipt):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/request/status/", {"action": "login", "receipt_code": receipt.receipt_code,
                                                 "passphrase": receipt.passphrase},
                            HTTP_ORIGIN="https://evil.example")
    html = response.content.decode()
    assert response.status_code == 403 and receipt.receipt_code not in html and receipt.passphrase not in html


@pytest.mark.parametrize(("lang", "heading"), [
    ("en", "The form could not be accepted"), ("es", "No se pudo aceptar el formulario"),
    ("ar", "تعذّر قبول النموذج"), ("fr", "Le formulaire n’a pas pu être accepté"),
    ("ru", "Форму не удалось принять")])
def test_a_staff_form_refused_for_its_cookie_gets_a_calm_page_in_the_users_language(lang, heading):
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=lang)

    response = browser.post("/accounts/login/", {"username": "x", "password": "y"}, **SAME_ORIGIN)

    html = response.content.decode()
    assert response.status_code == 403 and heading in html and f'<html lang="{lang}"' in html
    assert 'hreflang="' in html, "with links to the other languages"
