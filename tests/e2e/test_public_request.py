"""A defender asks for help in Arabic with JavaScript off, a real worker routes the request, and the
defender reads the caseworker's question and answers it on the status page."""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest

from protect.cases.services.casefile import case_ask_requester

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUESTION = "هل يمكنك أن تخبرنا باسم المحكمة؟ / Which court summoned you?"
ANSWER = "المحكمة العسكرية في بيروت، الجلسة يوم الثلاثاء."


@pytest.fixture
def mena_desk(caseworker, coordinator):
    """A team for the region of Lebanon, with a caseworker from the cast."""
    from protect.accounts.models import Team

    team = Team.objects.create(name="MENA desk", region="mena", languages=["ar", "en"], coordinator=coordinator)
    team.members.add(caseworker)
    return team


def _watch(page, origin: str) -> tuple[list[str], list[str]]:
    requested: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: console.append(message.text))
    return requested, console


def _foreign(requested: list[str], origin: str) -> list[str]:
    return [url for url in requested if urlparse(url).netloc != origin and not url.startswith("data:")]


def _wait_for_status(grant_id: int, status: str, seconds: float = 20) -> str:
    from grants.models import Grant

    deadline = time.monotonic() + seconds
    current = ""
    while time.monotonic() < deadline:
        current = Grant.objects.values_list("status", flat=True).get(pk=grant_id)
        if current == status:
            return current
        time.sleep(0.25)
    return current


def test_a_defender_asks_in_arabic_without_javascript_and_answers_the_caseworkers_question(
    live_server, page_without_js, celery_worker_process, mena_desk, caseworker, axe_check
):
    from django.db import connection

    from grants.models import Grant, Message


    page = page_without_js
    origin = urlparse(live_server.url).netloc
    requested, console = _watch(page, origin)

    # --- the form, in Arabic, right to left ---
    response = page.goto(live_server.url + "/ar/request/")
    opened = time.monotonic()
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "طلب دعم طارئ"
    assert page.get_by_role("button", name="إرسال الطلب").is_visible()
    axe_check(page)

    # The short path: only what is needed to act; the optional part (legal name, work, endorsers,
    # budget details, files) stays folded and untouched.
    assert not page.locator("[name=legal_name]").is_visible()
    page.get_by_label("اسم يمكننا استخدامه لك").fill("مالك الحزين")
    page.get_by_label("أكثر الطرق أمانًا للتواصل معك").select_option("signal")
    page.locator("[name=contact]").fill("+961 70 000 000")
    page.get_by_label("البلد الذي تتواجد فيه الآن").select_option(label="لبنان")
    page.locator("[name=location]").fill("طرابلس")
    page.locator("[name=incident]").fill("داهمت قوات الأمن مكتبي وصادرت حاسوبي.")
    page.locator("[name=threat]").fill("استُدعيت للمثول أمام المحكمة العسكرية الأسبوع المقبل.")
    page.get_by_label("مداهمة أو اقتحام").check()
    page.get_by_label("عالية: خلال أيام").check()
    page.get_by_label("دعم قانوني").check()
    page.get_by_label("الأمن الرقمي").check()
    page.get_by_label("المبلغ الذي تطلبه").fill("٢٬٥٠٠٫٥٠")  # Arabic-Indic digits and separators
    page.get_by_label("العملة").select_option("EUR")
    # A person takes longer than the minimum fill time; a script this fast must wait for it.
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))
    page.get_by_role("button", name="إرسال الطلب").click()
    page.wait_for_load_state("load")

    # --- the receipt, shown once ---
    assert page.get_by_role("heading", level=1).inner_text() == "وصلنا طلبك"
    receipt, passphrase = page.locator(".secret").all_inner_texts()
    assert len(receipt) == 14 and re.fullmatch(r"[٠-٩]{4}( [٠-٩]{4}){5}", passphrase)  # no English words
    assert page.locator("html").get_attribute("dir") == "rtl"
    axe_check(page)

    grant = Grant.objects.get()
    assert grant.channel == "public_form" and grant.language == "ar" and grant.amount_requested_minor == 250_050
    assert grant.defender.region == "mena"

    # --- a real worker routes it (the outbox relayed on commit) ---
    assert _wait_for_status(grant.pk, "triage") == "triage", "the worker did not route the request in 20 s"
    grant.refresh_from_db()
    assert grant.team == mena_desk and grant.caseworker == caseworker

    # --- the caseworker asks a question ---
    case_ask_requester(case=grant, by=caseworker, question=QUESTION)

    # --- the defender reads it on the status page, JavaScript still off, and answers ---
    page.goto(live_server.url + "/ar/request/status/")
    opened = time.monotonic()
    assert page.locator("html").get_attribute("dir") == "rtl"
    axe_check(page)
    page.get_by_label("رمز الإيصال").fill(receipt)
    page.get_by_label("عبارة المرور").fill(passphrase)
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # the log-in form has a minimum fill time too
    page.get_by_role("button", name="فتح").click()
    page.wait_for_load_state("load")
    assert page.url == live_server.url + "/ar/request/status/"
    body = page.locator("main").inner_text()
    assert "طرحنا عليك سؤالًا: يُرجى الإجابة أدناه." in body
    assert QUESTION in body
    assert "مالك الحزين" not in body and "داهمت" not in body
    axe_check(page)

    page.get_by_label("إجابتك").fill(ANSWER)
    page.get_by_role("button", name="إرسال", exact=True).click()
    page.wait_for_load_state("load")
    body = page.locator("main").inner_text()
    assert "شكرًا لك. أُرسلت إجابتك." in body
    assert ANSWER not in body  # the page never shows the requester's own words
    axe_check(page)

    grant.refresh_from_db()
    assert grant.status == "triage"
    answer = Message.objects.get(case=grant, direction="from_requester")
    assert answer.body == ANSWER
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM grants_message WHERE id = %s", [answer.pk])
        stored = bytes(cursor.fetchone()[0])
    assert ANSWER.encode() not in stored and "المحكمة".encode() not in stored

    # --- nothing came from elsewhere, nothing broke the policy ---
    assert requested and _foreign(requested, origin) == []
    assert any(url.endswith(".css") for url in requested)
    assert [text for text in console if "Content Security Policy" in text] == []
