"""The public page wrapper on its own (a page of the tests' own URLconf, tests/public/urls.py): the
language from the URL alone, Content-Language, links to the other languages, and a calm CSRF page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from protect.public.pages import language_links, public_url

pytestmark = [pytest.mark.urls("tests.public.urls"), pytest.mark.django_db]


@pytest.mark.parametrize(("path", "language", "url_lang"), [
    ("/kit-page/", "en", "-"), ("/en/kit-page/", "en", "en"), ("/ar/kit-page/", "ar", "ar"),
    ("/ru/kit-page/", "ru", "ru"),
])
def test_the_url_decides_the_language_and_says_it(client, path, language, url_lang):
    response = client.get(path)

    assert response.status_code == 200
    assert response.content.decode() == f"language={language} url_lang={url_lang}"
    assert response["Content-Language"] == language


def test_neither_the_browser_headers_nor_a_cookie_choose_the_language(client):
    client.cookies["django_language"] = "ar"

    english = client.get("/kit-page/", HTTP_ACCEPT_LANGUAGE="ru,ar;q=0.9")
    spanish = client.get("/es/kit-page/", HTTP_ACCEPT_LANGUAGE="fr")

    assert english.content.decode().startswith("language=en") and english["Content-Language"] == "en"
    assert spanish.content.decode().startswith("language=es") and spanish["Content-Language"] == "es"


@pytest.mark.parametrize("path", ["/de/kit-page/", "/AR/kit-page/", "/arr/kit-page/", "/kit-page/x/"])
def test_only_the_site_languages_are_prefixes(client, path):
    assert client.get(path).status_code == 404


def test_one_name_reverses_with_and_without_a_prefix():
    assert public_url(name="kit-page", url_lang=None) == "/kit-page/"
    assert public_url(name="kit-page", url_lang="fr") == "/fr/kit-page/"


def test_the_language_links_point_at_the_same_page_in_every_other_language():
    links = language_links(page="kit-page", url_lang="ar")

    assert [link["code"] for link in links] == ["en", "es", "fr", "ru"]
    assert links[0] == {"code": "en", "name": "English", "url": "/kit-page/", "dir": "ltr"}
    assert {link["url"] for link in links[1:]} == {"/es/kit-page/", "/fr/kit-page/", "/ru/kit-page/"}
    english = language_links(page="kit-page", url_lang=None)
    assert {"code": "ar", "name": "العربية", "url": "/ar/kit-page/", "dir": "rtl"} in english
    assert "en" not in {link["code"] for link in english}


def test_a_post_without_its_csrf_cookie_gets_the_calm_page_in_the_language_of_the_url():
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/fr/kit-page/", {"x": "1"}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")

    assert response.status_code == 403
    assert response["Content-Language"] == "fr"
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "<h1>Le formulaire n’a pas pu être accepté</h1>" in html
    assert 'href="/ar/kit-page/" lang="ar" hreflang="ar"' in html  # the page's own language links
    assert "<script" not in html.lower()


def test_a_post_with_its_csrf_token_from_our_no_referrer_page_reaches_the_view():
    browser = Client(enforce_csrf_checks=True)
    browser.get("/request/")  # any public page sets the cookie; the kit page answers plain text
    token = browser.cookies["csrftoken"].value

    accepted = browser.post("/kit-page/", {"csrfmiddlewaretoken": token},
                            HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
    other_site = browser.post("/kit-page/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://evil.example")

    assert accepted.status_code == 200 and accepted.content.decode().startswith("language=en")
    assert other_site.status_code == 403


def test_the_calm_page_never_echoes_what_was_posted():
    browser = Client(enforce_csrf_checks=True)

    html = browser.post("/kit-page/", {"passphrase": "horse battery staple"}).content.decode()

    assert "horse" not in html and not re.search(r"staple", html)
