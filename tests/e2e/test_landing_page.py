"""The landing page, in a real browser with JavaScript off, loads nothing from elsewhere."""

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_landing_page_without_javascript_stays_on_its_origin_and_violates_no_policy(
    live_server, page_without_js, axe_check
):
    page = page_without_js
    origin = urlparse(live_server.url).netloc
    requested, console = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: console.append(message.text))

    response = page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text().startswith("Emergency support")
    assert requested, "the browser made no request at all"
    foreign = [url for url in requested if urlparse(url).netloc != origin and not url.startswith("data:")]
    assert foreign == []
    assert any(url.endswith(".css") for url in requested), "the stylesheet should load from our origin"
    assert [text for text in console if "Content Security Policy" in text] == []
    axe_check(page)

    page.get_by_role("link", name="Ask for help").click()
    assert page.url == live_server.url + "/request/"
    axe_check(page)
