"""The axe helper sees what it must: a page with an image without text fails it, JavaScript off."""

import pytest

from tests.e2e.axe import assert_accessible, serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_axe_helper_fails_a_page_with_a_critical_violation_even_with_javascript_off(live_server, page_without_js):
    page = page_without_js
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.evaluate("() => document.querySelector('main').append(Object.assign(document.createElement('img'),"
                  " {src: '/static/none.png'}))")
    assert [v["id"] for v in serious_violations(page)] == ["image-alt"]
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
