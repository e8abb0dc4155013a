"""The 400, 403, 404 and 500 pages in the five languages: the URL's language prefix on the public
pages, else the language active for the request."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver

from protect.core import views
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

NOT_FOUND = {"ar": "غير موجود", "en": "Not found", "es": "No encontrado", "fr": "Introuvable", "ru": "Не найдено"}
BAD_REQUEST = {"ar": "طلب غير صالح", "en": "Bad request", "es": "Solicitud incorrecta", "fr": "Requête invalide",
               "ru": "Неверный запрос"}
SERVER_ERROR = {"ar": "حدث خطأ من جهتنا", "en": "An error occurred on our side", "es": "Se produjo un error de nuestra parte",
                "fr": "Une erreur s’est produite de notre côté", "ru": "На нашей стороне произошла ошибка"}


@pytest.mark.parametrize("lang", list(NOT_FOUND))
def test_a_404_under_a_language_prefix_is_in_that_language(client, lang):
    response = client.get(f"/{lang}/request/nothing-here/")
    html = response.content.decode()
    assert response.status_code == 404
    assert NOT_FOUND[lang] in html and f'lang="{lang}"' in html
    assert re.search(r"<html[^>]*>", html).group(0) == f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">'
    assert response["Content-Language"] == lang


@pytest.mark.parametrize("lang", list(BAD_REQUEST))
def test_a_400_under_a_language_prefix_is_in_that_language(client, lang):
    response = client.get(f"/{lang}/request/?x=%00")
    assert response.status_code == 400 and BAD_REQUEST[lang] in response.content.decode()


def test_staff_pages_answer_in_the_active_language(caseworker, coordinator):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    login_verified(client, caseworker)
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403 and "No permitido" in forbidden.content.decode()
    missing = client.get("/cases/G-NOTHING/")
    assert missing.status_code == 404 and "No encontrado" in missing.content.decode()


@pytest.mark.parametrize("lang", list(SERVER_ERROR))
def test_the_500_page_is_in_the_language_of_the_url_and_needs_no_database(lang, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.server_error(RequestFactory().get(f"/{lang}/request/"))
    assert response.status_code == 500 and SERVER_ERROR[lang] in response.content.decode()


def test_the_project_urls_name_the_error_views():
    resolver = get_resolver()
    assert resolver.resolve_error_handler(400) is views.bad_request
    assert resolver.resolve_error_handler(403) is views.permission_denied
    assert resolver.resolve_error_handler(404) is views.page_not_found
    assert resolver.resolve_error_handler(500) is views.server_error
