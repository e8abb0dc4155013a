"""Issue 9 in a real browser with JavaScript off: the CSRF cookie deleted while the request form is
open loses nothing (the form comes back filled in, sent again it goes through, once); the receipt's
language links and a reload lead to a calm page that does not show the passphrase again; and a
404 under /ar/ is Arabic and right to left, with links to the other languages."""

from __future__ import annotations

import time

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INCIDENT = "They raided the office and took my laptop."


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 100_000


def _fill_the_short_path(page) -> None:
    page.locator("[name=pseudonym]").fill("Heron")
    page.locator("[name=channel]").select_option("signal")
    page.locator("[name=contact]").fill("+961 70 000 000")
    page.locator("[name=country]").select_option("LB")
    page.locator("[name=location]").fill("Tripoli")
    page.locator("[name=incident]").fill(INCIDENT)
    page.locator("[name=risk_kinds][value=raid]").check()
    page.locator("[name=urgency][value=high]").check()
    page.locator("[name=needs][value=legal]").check()
    page.locator("[name=amount]").fill("2 500")
    page.locator("[name=currency]").select_option("EUR")


def test_a_deleted_csrf_cookie_loses_nothing_and_the_receipt_is_never_shown_again(live_server, page_without_js):
    from grants.models import Grant

    page = page_without_js
    page.goto(live_server.url + "/request/")
    opened = time.monotonic()
    _fill_the_short_path(page)
    page.context.clear_cookies()  # the cookie is gone while the form is open
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # a person takes longer than the minimum fill time
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state("load")

    assert "did not send back this site's cookie" in page.locator("main").inner_text()
    assert page.locator("[name=pseudonym]").input_value() == "Heron"
    assert page.locator("[name=incident]").input_value() == INCIDENT
    assert page.locator("[name=needs][value=legal]").is_checked()
    assert page.locator("[name=amount]").input_value() == "2 500"
    assert Grant.objects.count() == 0

    page.get_by_role("button", name="Send the request").click()  # sent again, as the page asks
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Your request was received"
    passphrase = page.locator(".secret").all_inner_texts()[1]
    assert Grant.objects.count() == 1

    page.get_by_role("link", name="Français").click()  # switching the receipt's language
    page.wait_for_load_state("load")
    assert page.url == live_server.url + "/fr/request/received/"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Votre reçu n’est affiché qu’une fois"
    assert passphrase not in page.content()
    page.get_by_role("link", name="العربية").click()
    assert page.locator("html").get_attribute("dir") == "rtl" and passphrase not in page.content()


def test_a_reloaded_receipt_shows_what_to_do_next_and_not_the_passphrase(live_server, page_without_js):
    from grants.models import Grant

    page = page_without_js
    page.goto(live_server.url + "/es/request/")
    opened = time.monotonic()
    _fill_the_short_path(page)
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    passphrase = page.locator(".secret").all_inner_texts()[1]

    page.reload()  # the browser sends the same form again
    page.wait_for_load_state("load")

    body = page.locator("main").inner_text()
    assert "no necesita enviar su solicitud de nuevo" in body and passphrase not in page.content()
    assert Grant.objects.count() == 1


def test_a_404_under_ar_is_arabic_right_to_left_with_links_to_the_other_languages(live_server, page_without_js):
    page = page_without_js
    response = page.goto(live_server.url + "/ar/no-such-page/")

    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "غير موجود"
    page.get_by_role("link", name="Русский").click()
    page.wait_for_load_state("load")
    assert page.url == live_server.url + "/ru/"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Экстренная помощь")
