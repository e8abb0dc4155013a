"""Issue 9, item 5: every page in every language. `/` (English) and `/<lang>/` for ar, en, es, fr, ru,
and every error page (400, 403, 404, 429, 500, and 413) in the five languages, each with links to the
others; a 404 under /ar/ is in Arabic, right to left.

Expected words come from the catalogues themselves (gettext under the language), and each must
differ from the English one outside English: a missing translation fails."""

from __future__ import annotations

import re
import secrets

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from protect.core import views
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def translated(lang: str, english: str) -> str:
    with translation.override(lang):
        text = gettext(english)
    assert lang == "en" or text != english, f"{english!r} has no {lang} translation"
    return text


def html_tag(lang: str) -> str:
    return f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">'


def prefix(lang: str) -> str:
    return "" if lang == "en" else f"/{lang}"


def assert_links_to_every_other_language(html: str, lang: str) -> None:
    links = dict(re.findall(r'<a href="([^"]*)" lang="(\w+)" hreflang=', html))
    assert sorted(links.values()) == sorted(code for code in LANGUAGES if code != lang)
    assert sorted(links) == sorted(f"{prefix(code)}/" for code in LANGUAGES if code != lang), "to the landing pages"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_landing_page_exists_in_each_language_with_links_to_the_others(client, lang):
    response = client.get(f"/{lang}/")

    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == lang
    assert html_tag(lang) in html
    assert translated(lang, "Emergency support for human rights defenders at risk") in html
    assert_links_to_every_other_language(html, lang)
    assert f'href="/{lang}/request/"' in html, "asking for help stays in the language"
    assert f'href="/{lang}/request/status/"' in html


def test_the_landing_page_without_a_prefix_is_english_whatever_the_browser_says():
    response = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/")
    html = response.content.decode()
    assert html_tag("en") in html and "Emergency support for human rights defenders at risk" in html
    assert_links_to_every_other_language(html, "en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_404_is_in_the_language_of_its_address(client, lang):
    response = client.get(f"/{lang}/request/nothing-here/")

    html = response.content.decode()
    assert response.status_code == 404 and html_tag(lang) in html
    assert translated(lang, "Not found") in html
    assert_links_to_every_other_language(html, lang)


def test_a_404_under_ar_is_arabic_and_right_to_left(client):
    html = client.get("/ar/no-such-page/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html and "غير موجود" in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_400_is_in_the_language_of_its_address(client, lang):
    response = client.get(f"/{lang}/request/?x=%00")
    html = response.content.decode()
    assert response.status_code == 400 and html_tag(lang) in html
    assert translated(lang, "Bad request") in html
    assert_links_to_every_other_language(html, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_403_is_in_the_language_of_the_user(caseworker, lang):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    login_verified(client, caseworker)

    response = client.get("/audit/")

    html = response.content.decode()
    assert response.status_code == 403 and html_tag(lang) in html
    assert translated(lang, "Not allowed") in html
    assert_links_to_every_other_language(html, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_429_is_in_the_language_of_its_address(lang):
    response = views.too_many_requests(RequestFactory().get(f"/{lang}/request/"))
    html = response.content.decode()
    assert response.status_code == 429 and html_tag(lang) in html
    assert translated(lang, "Too many requests") in html
    assert translated(lang, "Many requests are arriving right now. Nothing was changed. Please wait one minute, "
                            "then try again.") in html
    assert_links_to_every_other_language(html, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_form_over_its_budget_answers_429_in_its_language_keeping_what_was_typed(
        client, settings, monkeypatch, lang):
    from protect.public import ratelimit
    from tests.grants.test_public_request import request_data

    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 1
    minute = 10**9 + secrets.randbelow(10**6)  # a minute of our own, so no other test counts in it
    monkeypatch.setattr(ratelimit, "_clock", lambda: minute * 60.0)
    ratelimit.rate_limit_exceeded(bucket="request", per_minute=1)  # someone else used the minute

    response = client.post(f"{prefix(lang)}/request/", request_data(pseudonym="Heron"))

    html = response.content.decode()
    assert response.status_code == 429 and html_tag(lang) in html and 'value="Heron"' in html
    assert 'hreflang="' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_500_is_in_the_language_of_its_address_with_language_links_and_no_database(
        lang, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.server_error(RequestFactory().get(f"/{lang}/request/"))
    html = response.content.decode()
    assert response.status_code == 500 and html_tag(lang) in html
    assert translated(lang, "Something went wrong") in html
    assert_links_to_every_other_language(html, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_413_is_in_the_language_of_its_address(lang):
    response = views.request_too_large(RequestFactory().get(f"/{lang}/request/"))
    html = response.content.decode()
    assert response.status_code == 413 and translated(lang, "Too large") in html
    assert_links_to_every_other_language(html, lang)
