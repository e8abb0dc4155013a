"""Staff pages in a real browser (Debian's chromium, JavaScript off): the search box, the queue's
markers, each role's landing page after log-in, the skip link (issue 9, items 7, 9 and 12)."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from grants.models import Grant
from grants.services import grant_record_hotline, grant_submit_public
from protect.cases.services.casefile import case_ask_requester, case_requester_reply
from protect.cases.services.routing import case_route
from tests.e2e.test_grant_full_flow import Browsing, _submit, log_in
from tests.grants.conftest import DEFENDER, details

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browsing(browser, live_server, axe_check):
    people = Browsing(browser, live_server.url, axe_check)
    yield people
    people.close()


def _route(grant):
    return case_route(model=Grant, case_id=grant.pk)


def test_search_finds_a_case_by_lower_case_reference_and_a_defender_by_exact_name(browsing, live_server,
                                                                                    caseworker, team_africa):
    grant, _ = grant_submit_public(defender_data=dict(DEFENDER), details=details())
    grant = _route(grant)
    page = browsing.person("amina")
    log_in(page, live_server.url, caseworker)
    page.get_by_label("Search cases and defenders").fill(grant.reference.lower())
    _submit(page.get_by_role("button", name="Search", exact=True))
    assert urlparse(page.url).path == "/search/"
    _submit(page.get_by_role("link", name=grant.reference, exact=True))
    assert urlparse(page.url).path == f"/cases/{grant.reference}/"

    page.get_by_label("Search cases and defenders").fill("achieng OTIENO")
    _submit(page.get_by_role("button", name="Search", exact=True))
    _submit(page.get_by_role("link", name=grant.defender.reference, exact=True))
    assert urlparse(page.url).path == f"/defenders/{grant.defender.reference}/"
    assert page.get_by_role("link", name=grant.reference, exact=True).is_visible()
    browsing.assert_clean()


def test_the_queue_marks_new_replies_and_deadlines_one_line_per_case(browsing, live_server, caseworker,
                                                                      team_africa):
    def hotline():
        grant, _ = grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER), details=details())
        return _route(grant)

    answered, late, calm = hotline(), hotline(), hotline()
    case_ask_requester(case=answered, by=caseworker, question="Which phone was seized?")
    case_requester_reply(case=Grant.objects.get(pk=answered.pk), body="The old one.")
    now = timezone.now()
    Grant.objects.filter(pk=late.pk).update(sla_due_at=now - datetime.timedelta(days=2, hours=3))
    Grant.objects.filter(pk=calm.pk).update(sla_due_at=now + datetime.timedelta(hours=5, minutes=30))

    page = browsing.person("amina")
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, caseworker)
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 3
    late_row = rows.filter(has_text=late.reference)
    assert "overdue by 2 d" in late_row.inner_text()
    assert "due in 5 h" in rows.filter(has_text=calm.reference).inner_text()
    assert rows.filter(has_text=answered.reference).locator(".badge.reply").inner_text() == "new reply"
    # One line per case: every row as tall as the one-line header row, the reference unbroken.
    header = page.locator("table.queue thead tr").bounding_box()["height"]
    for i in range(3):
        assert rows.nth(i).bounding_box()["height"] <= header * 1.6
    main = page.locator("main").bounding_box()
    assert main["width"] > 1300  # the queue uses the full width
    assert page.get_by_role("link", name="My cases").inner_text().endswith("(3)")

    page.get_by_label("Only new replies").check()
    _submit(page.get_by_role("button", name="Filter"))
    assert page.locator("table.queue tbody tr").count() == 1
    assert answered.reference in page.locator("table.queue tbody").inner_text()
    browsing.assert_clean()


LANDINGS = [("caseworker", "/cases/"), ("reviewer", "/cases/review/"), ("finance", "/cases/payments/"),
            ("coordinator", "/cases/"), ("donor", "/dashboard/"), ("partner", "/accounts/"), ("host", "/host/")]


def test_each_role_lands_on_its_own_page_and_the_skip_link_comes_first(browsing, live_server, request):
    for role, path in LANDINGS:
        user = request.getfixturevalue(role)
        page = browsing.person(role)
        log_in(page, live_server.url, user)  # asserts the landing page
        assert urlparse(page.url).path == path
        skip = page.locator(".skip-link")
        assert skip.inner_text() == "Skip to content"
        assert skip.bounding_box()["y"] < 0  # off screen until focused
        page.keyboard.press("Tab")  # the first Tab from the top of the page reaches it: it shows
        assert skip.bounding_box()["y"] >= 0
    browsing.assert_clean()
