"""The case page at 1440 px and at 390 px, JavaScript off: two columns on the wide screen (what the
case is and what can be done now beside the record of the work), one column on the phone with the
actions before the record; no horizontal scroll at either width, and axe finds nothing serious."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.helpers import PASSWORD, current_code, enrol_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Security forces raided the office at dawn and took both laptops. قالوا إنهم سيعودون."


def _log_in(page: Any, base: str, user: Any) -> None:
    device = enrol_totp(user)
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state("load")
    assert urlparse(page.url).path != "/accounts/2fa/verify/", page.url


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def _no_horizontal_scroll(page: Any) -> None:
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"the page is {scroll} px wide in a {inner} px window"


@pytest.fixture
def busy_case(team_africa, caseworker, reviewer):
    """A grant under review with a recorded review, a question and its answer, and a note: every
    section of the page has something in it."""
    from grants import services
    from grants.models import Grant
    from protect.cases.services.casefile import case_add_note, case_ask_requester, case_requester_reply
    from protect.cases.services.routing import case_route
    from tests.grants.conftest import DEFENDER, details

    grant, _receipt = services.grant_record_hotline(
        by=caseworker, defender_data=dict(DEFENDER), details=details(amount_requested_minor=750_000, incident=NARRATIVE))
    grant = case_route(model=Grant, case_id=grant.pk)
    case_ask_requester(case=grant, by=caseworker, question="Which court summoned you, and when is the hearing?")
    case_requester_reply(case=Grant.objects.get(pk=grant.pk), body="المحكمة العسكرية، يوم الثلاثاء المقبل.")
    case_add_note(case=grant, by=caseworker, body="Endorser (Law Society) confirmed the summons by phone.")
    grant = Grant.objects.get(pk=grant.pk)
    if grant.status == "info_requested":
        from protect.cases.services.transitions import case_transition

        grant = case_transition(case=grant, by=caseworker, action="info_received")
    services.grant_check_and_submit_for_review(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                               no_other_source=True, reviewer=reviewer)
    return services.grant_record_review(grant=Grant.objects.get(pk=grant.pk), by=reviewer,
                                        recommendation="approve", verification=["endorser_contacted"],
                                        note="Costs are reasonable.", proposed_amount_minor=700_000)


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)])
def test_the_case_page_works_at_desktop_and_phone_widths_without_horizontal_scroll(
    live_server, browser, busy_case, reviewer, approver, axe_check, width, height,
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": height},
                                  locale="en-GB")
    try:
        page = context.new_page()
        context.set_default_timeout(10_000)
        _log_in(page, live_server.url, reviewer)
        case = f"{live_server.url}/cases/{busy_case.reference}/"
        assert page.goto(case).status == 200
        # The confidential details, shown: the longest version of the page.
        page.get_by_role("button", name="Show confidential details").click()
        page.wait_for_load_state("load")
        assert NARRATIVE.split(".")[0] in page.locator("main").inner_text()

        side, work = _box(page, ".case-side"), _box(page, ".case-work")
        actions = _box(page, "section.actions")
        if width >= 1024:
            # Two columns, side by side, from the same top; the side holds the actions.
            assert side["x"] + side["width"] <= work["x"] + 1, (side, work)
            assert abs(side["y"] - work["y"]) < 2
            assert actions["y"] < height, "the actions should be on the first screen"
        else:
            # One column: the side (summary, contact, actions) first, then the work.
            assert side["y"] + side["height"] <= work["y"] + 1, (side, work)
            assert abs(side["x"] - work["x"]) < 2
        for heading in ("Summary", "Contact", "What you can do now", "Confidential details",
                        "Messages with the requester", "Notes", "Timeline"):
            assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
        # The approval form: the co-signer is named in it, and its amount is filled in.
        approve = page.locator(f"main form[action='/cases/{busy_case.reference}/approve/']")
        assert float(approve.get_by_label("Amount approved").input_value()) == 7000
        assert approve.get_by_label("Second approver").is_visible()
        _no_horizontal_scroll(page)
        axe_check(page)
        if os.environ.get("PROTECT_E2E_SHOTS"):  # a look at the page while working on it
            page.screenshot(path=f"{os.environ['PROTECT_E2E_SHOTS']}/case-{width}.png", full_page=True)

        # Every folded action unfolded (the longest form layout) still fits.
        for details in page.locator("section.actions details").all():
            if details.get_attribute("open") is None:
                details.locator("summary").click()
        _no_horizontal_scroll(page)
        axe_check(page)

        # A refused action re-renders the page with its errors: still no horizontal scroll.
        approve.get_by_label("Amount approved").fill("7000")
        approve.get_by_role("button", name="Approve").click()
        page.wait_for_load_state("load")
        assert "name them in this approval" in page.locator("main").inner_text()
        _no_horizontal_scroll(page)
        axe_check(page)
    finally:
        context.close()
