"""A grant from the first word to the closed case, in a real browser, through the real pages only.

Each person works in a browser context of their own with JavaScript off: the defender on the public
pages, and the caseworker, the reviewer, the second approver, finance and the coordinator each logged
in with their password and then their authenticator code. A real Celery worker routes the request.
Nothing moves the case but the pages; the database is only read, to check each step.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse
from weakref import WeakKeyDictionary

import pytest

from protect.accounts.landing import landing_url
from tests.e2e.axe import AxeChecker
from tests.e2e.test_public_request import _foreign, _wait_for_status
from tests.helpers import PASSWORD, current_code, enrol_totp

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

QUESTION = "هل لديك محامٍ يتابع القضية؟ / Do you have a lawyer on the case?"
ANSWER = "نعم، محامية من نقابة المحامين في طرابلس."
# The case page's forms that move a case or decide something, by the last part of their URL. The flow
# checks that each person is offered exactly those of them the rules allow at that step; forms that
# decide nothing (reveal, notes, files) and actions added later are left to the permission matrix.
CASE_ACTIONS = frozenset({
    "eligibility", "ask", "resume-triage", "send-for-review", "review", "approve", "reject", "refer", "withdraw",
    "return-to-triage", "pay", "report", "waive-report", "close",
})


# --- every browser context of a test, and what they asked for --------------------------------

# The axe check of each watched page: every page a person reaches is checked (`visited`), once.
_AXE: WeakKeyDictionary[Any, AxeChecker] = WeakKeyDictionary()


def visited(page: Any) -> None:
    """A page was reached: axe finds no serious or critical violation on it."""
    checker = _AXE.get(page)
    if checker is not None:
        checker(page)


class Browsing:
    """Opens one context per person (JavaScript off) and records, across all of them, every request,
    every console message and every page that answered with an error."""

    def __init__(self, browser: Any, base_url: str, axe: AxeChecker) -> None:
        self.browser = browser
        self.axe = axe
        self.base_url = base_url
        self.origin = urlparse(base_url).netloc
        self.requested: list[str] = []
        self.console: list[str] = []
        self.failed_pages: list[str] = []
        self._contexts: list[Any] = []

    def watch(self, page: Any, who: str) -> Any:
        context = page.context
        context.on("request", lambda request: self.requested.append(request.url))
        context.on("console", lambda message: self.console.append(f"{who}: {message.text}"))

        def on_response(response: Any) -> None:
            if response.request.is_navigation_request() and response.status >= 400:
                self.failed_pages.append(f"{who}: {response.status} {response.request.method} {response.url}")

        context.on("response", on_response)
        context.set_default_timeout(10_000)  # a missing element fails in seconds, not half a minute
        _AXE[page] = self.axe
        return page

    def person(self, who: str) -> Any:
        context = self.browser.new_context(java_script_enabled=False, locale="en-GB")
        self._contexts.append(context)
        return self.watch(context.new_page(), who)

    def close(self) -> None:
        for context in self._contexts:
            context.close()

    def assert_clean(self) -> None:
        assert any(url.endswith(".css") for url in self.requested), "no page loaded its style sheet"
        assert _foreign(self.requested, self.origin) == [], "a page loaded something from another origin"
        assert [url for url in self.requested if "/csp-report/" in url] == [], "a CSP violation was reported"
        assert [text for text in self.console if "Content Security Policy" in text] == []
        assert self.failed_pages == []


@pytest.fixture
def browsing(browser, live_server, axe_check) -> Iterator[Browsing]:
    people = Browsing(browser, live_server.url, axe_check)
    yield people
    people.close()


# --- pages ----------------------------------------------------------------------------------


def _submit(button: Any) -> None:
    page = button.page
    button.click()
    page.wait_for_load_state("load")
    visited(page)


def log_in(page: Any, base_url: str, user: Any) -> None:
    """The login page, then the second-factor page with the authenticator's current code."""
    device = enrol_totp(user)
    page.goto(base_url + "/accounts/login/")
    visited(page)
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    _submit(page.get_by_role("button", name="Log in"))
    assert urlparse(page.url).path == "/accounts/2fa/verify/", page.url
    page.get_by_label("Code").fill(current_code(device))
    _submit(page.get_by_role("button", name="Verify"))
    landing = landing_url(user)  # each role lands on its own page (issue 9, item 12)
    assert urlparse(page.url).path == landing, f"{user.username} did not get past the second factor: {page.url}"
    assert page.locator(".who").inner_text() == user.username


def open_case(page: Any, base_url: str, list_path: str, reference: str) -> None:
    """Open the case from a list page (queue or inbox), by its link."""
    page.goto(base_url + list_path)
    visited(page)
    _submit(page.get_by_role("link", name=reference, exact=True))
    assert urlparse(page.url).path == f"/cases/{reference}/"
    assert page.get_by_role("heading", level=1).inner_text().startswith(reference)


def case_form(page: Any, reference: str, action: str) -> Any:
    return page.locator(f"main form[action='/cases/{reference}/{action}/']")


def case_actions(page: Any, reference: str) -> set[str]:
    """The CASE_ACTIONS whose forms (or a form's second button, formaction) the case page offers now."""
    prefix = f"/cases/{reference}/"
    targets = [form.get_attribute("action") or "" for form in page.locator("main form[method=post]").all()]
    targets += [button.get_attribute("formaction") or "" for button in page.locator("main button[formaction]").all()]
    return {t.removeprefix(prefix).strip("/") for t in targets if t.startswith(prefix)} & CASE_ACTIONS


def flash(page: Any) -> str:
    return page.locator("main .messages").inner_text()


def status_of(grant: Any) -> str:
    grant.refresh_from_db()
    return str(grant.status)


# --- shared stretches of the flow -----------------------------------------------------------


CHECKLIST = ("Is a human rights defender", "Is at risk because of that work", "The need is urgent",
             "No other source can cover it")


def complete_checklist(page: Any, reference: str) -> None:
    """Tick the checklist and save it alone (the form's second button)."""
    checklist = page.locator("main form:has(input[name=hrd])")
    for label in CHECKLIST:
        checklist.get_by_label(label).check()
    _submit(checklist.get_by_role("button", name="Save the checklist"))
    assert "Eligibility checklist saved." in flash(page)


def send_for_review(page: Any, reference: str, reviewer: Any, *, tick_checklist: bool = False) -> None:
    """Choose the reviewer by name among the options the page offers; with `tick_checklist`, the
    checklist is ticked in the same form and both go in one step."""
    form = case_form(page, reference, "send-for-review")
    if tick_checklist:
        for label in CHECKLIST:
            form.get_by_label(label).check()
    chooser = form.get_by_label("Reviewer")
    names = chooser.locator("option").all_inner_texts()
    assert str(reviewer) in names, names
    chooser.select_option(label=str(reviewer))
    _submit(form.get_by_role("button", name="Save and send for review"))
    assert "sent for review." in flash(page)


def review_and_approve(page: Any, reference: str, *, amount: str, second_approver: Any = None) -> None:
    """The reviewer records the review (recommending the amount) and approves it."""
    review = case_form(page, reference, "review")
    review.get_by_label("Approve", exact=True).check()
    review.get_by_label("Endorser contacted").check()
    review.get_by_label("Documents checked").check()
    review.get_by_label("Review note (confidential)").fill("Endorser confirmed the summons; costs are reasonable.")
    review.get_by_label("Proposed amount (optional)").fill(amount)
    _submit(review.get_by_role("button", name="Record the review"))
    assert "Review recorded." in flash(page)

    approve = case_form(page, reference, "approve")
    approve.get_by_label("Amount approved").fill(amount)
    chooser = approve.get_by_label("Second approver")
    if second_approver is None:
        assert chooser.count() == 0, "a second approver was offered for an amount that needs one approval"
    else:
        options = chooser.locator("option")
        values = dict(zip(options.all_inner_texts(), [o.get_attribute("value") for o in options.all()], strict=True))
        assert str(second_approver) in values, values
        chooser.select_option(values[str(second_approver)])
    _submit(approve.get_by_role("button", name="Approve"))
    assert "Approval recorded." in flash(page)


def pay(page: Any, reference: str, *, payment_reference: str, amount: str) -> None:
    from django.utils import timezone

    form = case_form(page, reference, "pay")
    form.get_by_label("Payment reference").fill(payment_reference)
    form.get_by_label("Amount paid").fill(amount)
    paid_to = form.get_by_label("Paid to")
    values = [option.get_attribute("value") for option in paid_to.locator("option").all()]
    assert "defender" in values
    paid_to.select_option("defender")
    form.get_by_label("Payee details (confidential)").fill("Bank transfer, account ending 0042")
    assert form.get_by_label("Paid on").input_value() == timezone.localdate().isoformat()
    _submit(form.get_by_role("button", name="Record the payment"))
    assert "Payment recorded." in flash(page)


def waive_report(page: Any, reference: str) -> None:
    page.locator("main summary", has_text="Waive the report").click()  # <details> opens without script
    form = case_form(page, reference, "waive-report")
    form.get_by_label("Reason (kept with the case)").fill("Keeping receipts would endanger the defender.")
    _submit(form.get_by_role("button", name="Waive the report"))
    assert "Report waived." in flash(page)


def close_case(page: Any, reference: str) -> None:
    _submit(case_form(page, reference, "close").get_by_role("button", name="Close the case"))
    assert "Case closed." in flash(page)


def status_sentence(status: str, language: str) -> str:
    from django.utils import translation

    from grants.models import Grant

    with translation.override(language):
        return str(Grant.REQUESTER_SENTENCES[status])


def defender_opens_status_page(page: Any, url: str, receipt: str, passphrase: str, *, arabic: bool) -> str:
    page.goto(url)
    visited(page)
    opened = time.monotonic()
    page.get_by_label("رمز الإيصال" if arabic else "Receipt code").fill(receipt)
    page.get_by_label("عبارة المرور" if arabic else "Passphrase").fill(passphrase)
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # the log-in form has a minimum fill time too
    _submit(page.get_by_role("button", name="فتح" if arabic else "Open", exact=True))
    assert urlparse(page.url).path == urlparse(url).path
    return page.locator("main").inner_text()


# --- the desks ------------------------------------------------------------------------------


@pytest.fixture
def mena_desk(caseworker, coordinator):
    from protect.accounts.models import Team

    team = Team.objects.create(name="MENA desk", region="mena", languages=["ar", "en"], coordinator=coordinator)
    team.members.add(caseworker)
    return team


# --- 1. the public form, in Arabic, to the closed case -----------------------------------------


def test_an_arabic_request_goes_from_the_public_form_to_closed(
    live_server, page_without_js, browsing, celery_worker_process, mena_desk,
    caseworker, reviewer, approver, finance, coordinator,
):
    from grants.models import Approval, Disbursement, Grant, Message

    base = live_server.url

    # --- the defender asks for help, JavaScript off, in Arabic ---
    defender = browsing.watch(page_without_js, "defender")
    response = defender.goto(base + "/ar/request/")
    opened = time.monotonic()
    assert response.status == 200
    assert defender.locator("html").get_attribute("dir") == "rtl"
    visited(defender)
    defender.get_by_label("اسم يمكننا استخدامه لك").fill("مالك الحزين")
    # The optional part, unfolded without JavaScript (a <details>): the legal name and the work.
    defender.locator("details.optional-part > summary").click()
    defender.get_by_label("شخص", exact=True).check()
    defender.get_by_label("الاسم الكامل للشخص أو المنظمة").fill("نادية حداد")
    defender.get_by_label("أكثر الطرق أمانًا للتواصل معك").select_option("signal")
    defender.locator("[name=contact]").fill("+961 70 000 000")
    defender.get_by_label("البلد الذي تتواجد فيه الآن").select_option(label="لبنان")
    defender.locator("[name=location]").fill("طرابلس")
    defender.get_by_label("صحفي أو عامل في الإعلام").check()
    defender.locator("[name=incident]").fill("داهمت قوات الأمن مكتبي وصادرت حاسوبي.")
    defender.locator("[name=threat]").fill("استُدعيت للمثول أمام المحكمة العسكرية الأسبوع المقبل.")
    defender.get_by_label("مداهمة أو اقتحام").check()
    defender.get_by_label("عالية: خلال أيام").check()
    defender.get_by_label("دعم قانوني").check()
    defender.get_by_label("الأمن الرقمي").check()
    defender.get_by_label("المبلغ الذي تطلبه").fill("6000")
    defender.get_by_label("العملة").select_option("EUR")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # the form refuses what is faster than a person
    _submit(defender.get_by_role("button", name="إرسال الطلب"))
    assert defender.get_by_role("heading", level=1).inner_text() == "وصلنا طلبك"
    receipt, passphrase = defender.locator(".secret").all_inner_texts()
    assert len(receipt) == 14 and re.fullmatch(r"[٠-٩]{4}( [٠-٩]{4}){5}", passphrase)  # no English words

    grant = Grant.objects.get()
    ref = grant.reference
    assert (grant.channel, grant.language, grant.amount_requested_minor) == ("public_form", "ar", 600_000)

    # --- a real worker routes it to the MENA desk's caseworker ---
    assert _wait_for_status(grant.pk, "triage") == "triage", "the worker did not route the request in 20 s"
    grant.refresh_from_db()
    assert grant.team == mena_desk and grant.caseworker == caseworker

    # --- the caseworker opens it from the queue and asks a question ---
    amina = browsing.person("caseworker")
    log_in(amina, base, caseworker)
    open_case(amina, base, "/cases/", ref)
    assert case_actions(amina, ref) == {"eligibility", "ask", "send-for-review", "reject", "refer", "withdraw"}
    case_form(amina, ref, "ask").get_by_label("Question to the requester").fill(QUESTION)
    _submit(case_form(amina, ref, "ask").get_by_role("button", name="Send the question"))
    assert "Question sent" in flash(amina)
    assert status_of(grant) == "info_requested"
    assert case_actions(amina, ref) == {"eligibility", "ask", "resume-triage", "reject", "refer", "withdraw"}

    # --- the defender reads the question on the status page and answers ---
    status_url = base + "/ar/request/status/"
    body = defender_opens_status_page(defender, status_url, receipt, passphrase, arabic=True)
    assert status_sentence("info_requested", "ar") in body
    assert QUESTION in body and "نادية حداد" not in body
    defender.get_by_label("إجابتك").fill(ANSWER)
    _submit(defender.get_by_role("button", name="إرسال", exact=True))
    assert "شكرًا لك. أُرسلت إجابتك." in defender.locator("main").inner_text()
    assert status_of(grant) == "triage"
    assert Message.objects.get(case=grant, direction="from_requester").body == ANSWER
    _submit(defender.get_by_role("button", name="مغادرة"))  # "Leave": the status page asks for it when done

    # --- the caseworker reads the answer, completes the checklist, sends the case to the reviewer ---
    amina.reload()
    visited(amina)
    assert ANSWER in amina.locator("main").inner_text()
    assert case_actions(amina, ref) == {"eligibility", "ask", "send-for-review", "reject", "refer", "withdraw"}
    reviewers = case_form(amina, ref, "send-for-review").get_by_label("Reviewer").locator("option")
    assert str(caseworker) not in reviewers.all_inner_texts()  # nobody reviews what they prepared
    send_for_review(amina, ref, reviewer, tick_checklist=True)  # the checklist and the reviewer in one step
    assert status_of(grant) == "under_review"
    assert grant.eligible_hrd and grant.eligible_risk and grant.eligible_urgent and grant.eligible_no_other_source
    assert grant.reviewer == reviewer and grant.prepared_by == caseworker
    # The caseworker who prepared the case neither reviews nor approves it.
    assert case_actions(amina, ref) == {"ask", "refer", "withdraw"}

    # --- the reviewer reviews, approves EUR 6,000 and names the second approver ---
    bruno = browsing.person("reviewer")
    log_in(bruno, base, reviewer)
    open_case(bruno, base, "/cases/review/", ref)
    assert case_actions(bruno, ref) == {"review", "ask", "reject", "refer", "return-to-triage"}
    review_and_approve(bruno, ref, amount="6000", second_approver=approver)
    assert status_of(grant) == "under_review", "EUR 6,000 needs a second approval"
    assert grant.second_approver == approver and grant.recommendation == "approve"
    assert list(Approval.objects.filter(grant=grant).values_list("approver__username", "amount_minor")) == [
        (reviewer.username, 600_000)]
    assert "2 approvals needed." in bruno.locator("main").inner_text()
    assert case_actions(bruno, ref) == {"review", "ask", "reject", "refer", "return-to-triage"}  # approved once

    # --- the second approver agrees on the same amount ---
    chen = browsing.person("approver")
    log_in(chen, base, approver)
    open_case(chen, base, "/cases/review/", ref)
    assert case_actions(chen, ref) == {"approve", "ask", "reject", "refer", "return-to-triage"}
    approve = case_form(chen, ref, "approve")
    assert float(approve.get_by_label("Amount approved").input_value()) == 6000  # the amount to agree on
    assert approve.get_by_label("Second approver").count() == 0
    approve.get_by_label("Amount approved").fill("6000")
    _submit(approve.get_by_role("button", name="Approve"))
    assert "Approval recorded." in flash(chen)
    assert status_of(grant) == "approved"
    assert grant.approved_amount_minor == 600_000 and grant.approvals.count() == 2
    assert case_actions(chen, ref) == set()

    # --- finance pays in two instalments ---
    dalia = browsing.person("finance")
    log_in(dalia, base, finance)
    open_case(dalia, base, "/cases/payments/", ref)
    assert case_actions(dalia, ref) == {"pay"}
    assert dalia.locator("main form[action$='/reveal/']").count() == 0  # finance never reads the story
    pay(dalia, ref, payment_reference=f"SEPA-{ref}-1", amount="3000")
    assert status_of(grant) == "disbursing"
    assert case_actions(dalia, ref) == {"pay"}
    pay(dalia, ref, payment_reference=f"SEPA-{ref}-2", amount="3000")
    assert status_of(grant) == "reporting"
    assert grant.report_due_at is not None
    payments = Disbursement.objects.filter(grant=grant).select_related("grant__defender__data_key")
    assert sorted((p.payment_reference, p.amount_minor) for p in payments) == [  # encrypted: read through instances
        (f"SEPA-{ref}-1", 300_000), (f"SEPA-{ref}-2", 300_000)]
    assert "Paid EUR 6,000.00 of EUR 6,000.00 approved" in dalia.locator("main").inner_text()
    assert case_actions(dalia, ref) == set()

    # --- the coordinator waives the report ---
    elif_ = browsing.person("coordinator")
    log_in(elif_, base, coordinator)
    open_case(elif_, base, "/cases/", ref)
    assert case_actions(elif_, ref) == {"report", "waive-report", "close"}
    waive_report(elif_, ref)
    assert status_of(grant) == "reporting"
    assert grant.report_waived_by == coordinator

    # --- the caseworker closes the case ---
    amina.reload()
    visited(amina)
    assert case_actions(amina, ref) == {"close"}
    close_case(amina, ref)
    assert status_of(grant) == "closed"
    assert grant.closed_at is not None
    assert case_actions(amina, ref) == set()

    # --- the defender sees it closed ---
    body = defender_opens_status_page(defender, status_url, receipt, passphrase, arabic=True)
    assert status_sentence("closed", "ar") in body

    browsing.assert_clean()
    assert len(browsing.axe.checked) > 10, browsing.axe.checked  # axe read the pages on the way


# --- 2. an organisation's request, taken by phone, to the closed case ---------------------------


def test_an_organisation_request_recorded_by_the_hotline_goes_to_closed(
    live_server, browsing, celery_worker_process, team_africa, caseworker, reviewer, finance, coordinator,
):
    from grants.models import Approval, Grant

    base = live_server.url

    # --- the caseworker records the call ---
    amina = browsing.person("caseworker")
    log_in(amina, base, caseworker)
    amina.goto(base + "/cases/new/")
    visited(amina)
    form = amina.locator("main form")
    kind = form.get_by_label("Person or organisation")
    assert "organisation" in [o.get_attribute("value") for o in kind.locator("option").all()]
    kind.select_option("organisation")
    form.get_by_label("Pseudonym").fill("Riverbank collective")
    form.get_by_label("Legal name (encrypted)").fill("Muungano wa Haki za Ardhi")
    form.get_by_label("Country").select_option(label="Kenya")  # a select; the region follows
    assert form.get_by_label("Region").count() == 0
    form.get_by_label("Phone (encrypted)").fill("+254 700 000 001")
    form.get_by_label("Languages (ISO codes").fill("sw, en")
    form.locator("input[name=profiles][value=land_environment]").check()
    form.get_by_label("Language of the requester").select_option("en")
    form.locator("input[name=risk_kinds][value=raid]").check()
    form.locator("input[name=risk_kinds][value=threats]").check()
    form.locator("input[name=urgency][value=high]").check()
    form.locator("input[name=needs][value=physical_security]").check()
    form.get_by_label("Amount requested").fill("2000")
    form.get_by_label("Currency").select_option("EUR")
    form.get_by_label("What happened (encrypted)").fill("Men broke into the office and burnt the land registry files.")
    form.get_by_label("The threat now (encrypted)").fill("Staff received calls saying the office will burn next.")
    form.get_by_label("What the money is for (encrypted)").fill("A steel door, locks and two cameras.")
    _submit(form.get_by_role("button", name="Record the request"))

    heading = amina.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Request recorded as ")
    receipt, passphrase = amina.locator("main .secret").all_inner_texts()
    assert len(receipt) == 14 and len(passphrase.split()) == 7

    grant = Grant.objects.get()
    ref = grant.reference
    assert heading == f"Request recorded as {ref}"
    assert (grant.channel, grant.recorded_by, grant.amount_requested_minor) == ("hotline", caseworker, 200_000)
    assert grant.defender.kind == "organisation"

    # Shown once: the case page never shows them again.
    _submit(amina.get_by_role("link", name="Go to the case"))
    assert urlparse(amina.url).path == f"/cases/{ref}/"
    page_text = amina.content()
    assert passphrase not in page_text and receipt not in page_text

    # --- the worker routes it to the Africa desk ---
    assert _wait_for_status(grant.pk, "triage") == "triage", "the worker did not route the request in 20 s"
    grant.refresh_from_db()
    assert grant.team == team_africa and grant.caseworker == caseworker

    # --- the caseworker checks eligibility and sends it for review ---
    open_case(amina, base, "/cases/", ref)
    assert case_actions(amina, ref) == {"eligibility", "ask", "send-for-review", "reject", "refer", "withdraw"}
    complete_checklist(amina, ref)
    send_for_review(amina, ref, reviewer)
    assert status_of(grant) == "under_review"
    assert case_actions(amina, ref) == {"ask", "refer", "withdraw"}

    # --- EUR 2,000 needs one approval: the reviewer's ---
    bruno = browsing.person("reviewer")
    log_in(bruno, base, reviewer)
    open_case(bruno, base, "/cases/review/", ref)
    assert case_actions(bruno, ref) == {"review", "ask", "reject", "refer", "return-to-triage"}
    review_and_approve(bruno, ref, amount="2000", second_approver=None)
    assert status_of(grant) == "approved", "EUR 2,000 is approved by one approver"
    assert grant.approved_amount_minor == 200_000 and grant.second_approver is None
    assert Approval.objects.filter(grant=grant).count() == 1
    assert case_actions(bruno, ref) == set()

    # --- finance pays it in one transfer ---
    dalia = browsing.person("finance")
    log_in(dalia, base, finance)
    open_case(dalia, base, "/cases/payments/", ref)
    assert case_actions(dalia, ref) == {"pay"}
    pay(dalia, ref, payment_reference=f"MPESA-{ref}", amount="2000")
    assert status_of(grant) == "reporting"
    assert case_actions(dalia, ref) == set()

    # --- the coordinator waives the report and closes the case ---
    elif_ = browsing.person("coordinator")
    log_in(elif_, base, coordinator)
    open_case(elif_, base, "/cases/", ref)
    assert case_actions(elif_, ref) == {"report", "waive-report", "close"}
    waive_report(elif_, ref)
    assert status_of(grant) == "reporting" and grant.report_waived_by == coordinator
    assert case_actions(elif_, ref) == {"close"}
    close_case(elif_, ref)
    assert status_of(grant) == "closed"

    # --- the organisation reads it with what the caseworker passed on ---
    defender = browsing.person("defender")
    body = defender_opens_status_page(defender, base + "/request/status/", receipt, passphrase, arabic=False)
    assert status_sentence("closed", "en") in body

    browsing.assert_clean()
    assert len(browsing.axe.checked) > 10, browsing.axe.checked  # axe read the pages on the way
