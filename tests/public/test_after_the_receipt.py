"""Issue 9, item 3 (the last point): reloading the receipt page, or switching its language, shows a
calm page saying what to do next, in every language, never an error and never the passphrase
again: the status page if they kept the receipt, otherwise a new one from a caseworker who checks
who is calling (tests/cases/test_receipt_reissue.py)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from grants.models import Grant
from tests.grants.test_public_request import request_data, secrets_in
from tests.relocation.test_public_application import application_data

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
NEXT = ("If you did not keep them, you do not need to send your request again. Contact us again the way you first "
        "reached us, or through the partner organisation that told you about us. Once a caseworker has checked that "
        "it is you, they will give you a new receipt code and passphrase; the old ones then stop working.")


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 100_000


def translated(lang: str, english: str) -> str:
    with translation.override(lang):
        text = gettext(english)
    assert lang == "en" or text != english, f"{english!r} has no {lang} translation"
    return text


def prefix(lang: str) -> str:
    return "" if lang == "en" else f"/{lang}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_receipts_language_links_lead_to_the_calm_page_not_to_a_blank_form(client, lang):
    received = client.post(f"{prefix(lang)}/request/", request_data())

    html = received.content.decode()
    links = re.findall(r'<a href="([^"]*)" lang="(\w+)" hreflang=', html)
    assert sorted(code for _url, code in links) == sorted(code for code in LANGUAGES if code != lang)
    assert all(url == f"{prefix(code)}/request/received/" for url, code in links)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_after_the_receipt_says_what_to_do_next_in_each_language(client, lang):
    response = client.get(f"{prefix(lang)}/request/received/")

    html = response.content.decode()
    assert response.status_code == 200 and f'<html lang="{lang}"' in html
    assert translated(lang, "Your receipt is shown only once") in html
    assert translated(lang, NEXT) in html
    assert f'href="{prefix(lang)}/request/status/"' in html
    assert 'class="secret"' not in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reloading_the_receipt_shows_the_calm_page_without_the_passphrase(client, lang):
    data = request_data()
    first = client.post(f"{prefix(lang)}/request/", data)
    _receipt, passphrase = secrets_in(first.content.decode())

    reload = client.post(f"{prefix(lang)}/request/", data)  # a browser's reload sends the same form again

    html = reload.content.decode()
    assert reload.status_code == 200 and f'<html lang="{lang}"' in html
    assert translated(lang, NEXT) in html and passphrase not in html
    assert Grant.objects.count() == 1
    other = "ar" if lang == "en" else "en"
    assert f'href="{prefix(other)}/request/received/"' in html


def test_reloading_a_relocation_receipt_shows_the_same_calm_page(client):
    data = application_data()
    client.post("/ru/relocation/apply/", data)
    html = client.post("/ru/relocation/apply/", data).content.decode()
    assert translated("ru", NEXT) in html and 'href="/ar/request/received/"' in html
