"""A temporary relocation from the first word to the check-in after the return, in a real browser,
through the real pages only (issue 10, "Done means").

Each person works in a browser context of their own with JavaScript off: a third party on the
Arabic public form, then the caseworker, the host (in its portal), finance and the coordinator,
each logged in with their password and their authenticator code. A real Celery worker routes the
application, ranks the hosts and writes the stipends when beat's task is run through it. Nothing
moves the relocation but the pages (and beat's task); the database is only read, to check each step.

The stay is matched to start 45 days ago, so that two stipend months have begun when beat runs:
the rules allow a start in the past (a host that agreed on the phone may already have received the
family), and it keeps beat's task exactly as beat sends it, without a date of its own.
"""

from __future__ import annotations

import datetime
import re
import time
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from tests.e2e.test_grant_full_flow import _submit, browsing, flash, log_in, visited  # noqa: F401  (browsing: a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RISK = "تلقيت تهديدات بالقتل بعد تقريري عن التعذيب في السجون، وداهمت الشرطة منزلي مرتين."
WHY = "فشلت إجراءات الحماية المحلية: استمرت المداهمات."
NEEDS = "Two rooms on the ground floor; a school place for a child of 8."


def wait_for(condition: Any, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def relocation_form(page: Any, reference: str, action: str) -> Any:
    return page.locator(f"main form[action='/relocations/{reference}/{action}/']")


def open_relocation(page: Any, base_url: str, reference: str) -> None:
    """From the board, by the relocation's link."""
    page.goto(base_url + "/relocations/")
    visited(page)
    _submit(page.locator("main section[aria-labelledby^='stage-']").get_by_role("link", name=reference, exact=True))
    assert urlparse(page.url).path == f"/relocations/{reference}/"


def open_details(page: Any, summary: str) -> None:
    """A closed <details> opens without script."""
    page.locator("main summary", has_text=summary).first.click()


@pytest.fixture
def mena_desk(caseworker, coordinator):
    from protect.accounts.models import Team

    team = Team.objects.create(name="MENA desk", region="mena", languages=["ar", "en"], coordinator=coordinator)
    team.members.add(caseworker)
    return team


def test_a_relocation_goes_from_an_arabic_application_to_the_check_in_after_the_return(
    live_server, browsing, celery_worker_process, mena_desk, caseworker, coordinator, finance, host,  # noqa: F811
):
    from relocation.models import FollowUpCheckIn, Relocation, StipendInstalment
    from relocation.services import host_create
    from relocation.tasks import create_stipends
    from relocation.workflow import add_months

    base = live_server.url
    today = timezone.localdate()
    starts_on = today - datetime.timedelta(days=45)  # two stipend months have begun by today
    ends_on = add_months(starts_on, 6)
    extended_to = add_months(starts_on, 13)  # past 12 months in all: a coordinator's decision
    always = [(today - datetime.timedelta(days=400), today + datetime.timedelta(days=800))]
    host_create(by=coordinator, organisation="Tunis shelter", city="Tunis", country="TN", languages=["ar", "fr"],
                places=1, family_places=2, offers=["housing", "psychosocial", "stipend"], availability=always,
                contacts=[host])
    host_create(by=coordinator, organisation="Ghent University", city="Ghent", country="BE", languages=["en", "nl"],
                places=2, family_places=2, offers=["housing"], availability=always)
    host_create(by=coordinator, organisation="Small flat", city="Lyon", country="FR", languages=["ar", "fr"],
                places=1, family_places=1, offers=["housing"], availability=always)

    # --- 1. a third party applies in Arabic through the public form, JavaScript off ---
    friend = browsing.person("third party")
    friend.goto(base + "/ar/relocation/apply/")
    opened = time.monotonic()
    visited(friend)
    assert (friend.locator("html").get_attribute("lang"), friend.locator("html").get_attribute("dir")) == ("ar", "rtl")
    assert friend.get_by_role("heading", level=1).inner_text() == "طلب نقل مؤقت"
    friend.get_by_label("شخص نيابةً عن المدافع").check()  # a third party
    friend.locator("[name=pseudonym]").fill("نورس")
    friend.locator("[name=legal_name]").fill("سلمى الخطيب")
    friend.locator("[name=channel]").select_option("signal")
    friend.locator("[name=contact]").fill("+961 70 000 111")
    friend.locator("[name=country]").select_option("LB")
    friend.locator("[name=location]").fill("طرابلس")
    friend.get_by_label("ما هو الخطر؟").fill(RISK)
    friend.locator("input[name=urgency][value=high]").check()
    friend.get_by_label("لماذا النقل بدلًا من تدابير الحماية الأخرى؟").fill(WHY)
    friend.locator("[name=preferred_country]").fill("تونس")
    friend.locator("[name=visa_plan]").fill("تأشيرة إنسانية عبر المؤسسة المضيفة.")
    friend.locator("[name=family1_age_band]").select_option("18-64")
    friend.locator("[name=family1_needs]").fill("زوجها، مصاب بالسكري")
    friend.locator("[name=family2_age_band]").select_option("0-11")
    friend.locator("[name=family2_needs]").fill("مقعد في مدرسة")
    friend.locator("[name=intended_return_on]").fill(add_months(today, 18).isoformat())
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # a person takes longer than the minimum fill time
    _submit(friend.get_by_role("button", name="إرسال الطلب"))
    assert friend.get_by_role("heading", level=1).inner_text() == "وصلنا طلبك"
    receipt, _passphrase = friend.locator(".secret").all_inner_texts()[:2]
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", receipt), receipt
    assert friend.locator("html").get_attribute("dir") == "rtl"

    relocation = Relocation.objects.get()
    ref = relocation.reference
    assert (relocation.language, relocation.applicant, relocation.channel) == ("ar", "third_party", "public_form")
    assert relocation.family.count() == 2  # a family of three with the defender
    assert wait_for(lambda: Relocation.objects.get(pk=relocation.pk).status == "assessing"), \
        "the worker did not route the application"
    relocation.refresh_from_db()
    assert (relocation.team, relocation.caseworker) == (mena_desk, caseworker)

    # --- 2. the caseworker assesses it and matches a host for the family of three ---
    amina = browsing.person("caseworker")
    log_in(amina, base, caseworker)
    open_relocation(amina, base, ref)
    assess = relocation_form(amina, ref, "assess")
    assess.get_by_label("Assessment (confidential)").fill("Eligible: documented threats, local measures failed.")
    _submit(assess.get_by_role("button", name="Record and look for a host"))
    assert "Assessment recorded" in flash(amina)

    criteria = relocation_form(amina, ref, "matching")
    criteria.get_by_label("Stay from").fill(starts_on.isoformat())
    criteria.get_by_label("Stay until").fill(ends_on.isoformat())
    criteria.get_by_label("Languages the family speaks (codes, e.g. ar fr)").fill("ar")
    criteria.get_by_label("Housing").check()
    criteria.get_by_label("Psychosocial care").check()
    _submit(criteria.get_by_role("button", name="Rank the hosts"))
    assert "the hosts are being ranked" in flash(amina)
    ranking = "main section[aria-labelledby='hosting-h'] table"
    deadline = time.monotonic() + 30
    while amina.locator(ranking).count() == 0:  # the worker's ranking, read by reloading the page
        assert time.monotonic() < deadline, "the worker did not rank the hosts"
        time.sleep(0.5)
        amina.reload()
    visited(amina)
    rows = amina.locator(f"{ranking} tbody tr").all_inner_texts()
    assert [row.split("\t")[1].split(",")[0] for row in rows] == ["Tunis shelter", "Ghent University", "Small flat"]
    assert "does not fit" in rows[2]  # one family place for two people travelling with the defender

    ask = relocation_form(amina, ref, "ask-host")
    assert ask.get_by_label("Host institution").locator("option:checked").inner_text().startswith("Tunis shelter")
    ask.get_by_label("Practical needs the host must know (shared with the host: no story, no names)").fill(NEEDS)
    _submit(ask.get_by_role("button", name="Ask this host"))
    assert "The host is asked in its portal." in flash(amina)

    # The monthly stipend, per person: beat multiplies it by the people who relocated.
    open_details(amina, "Add a budget line")
    budget = relocation_form(amina, ref, "budget")
    budget.get_by_label("What it pays for").select_option("stipend")
    budget.get_by_label("Amount (for a stipend: per person and month)").fill("400.00")
    _submit(budget.get_by_role("button", name="Add the line"))
    assert "Budget line added." in flash(amina)

    # --- 3. the host accepts in its portal, sees nothing of the story, and confirms the arrival ---
    tunis = browsing.person("host")
    log_in(tunis, base, host)  # a host lands on /host/
    assert ref in tunis.locator("main").inner_text() and "your answer is awaited" in tunis.locator("main").inner_text()
    _submit(tunis.get_by_role("link", name=ref, exact=True))
    page = tunis.locator("main").inner_text()
    assert "نورس" in page and "3 people" in page and "a school place for a child of 8" in page
    for secret in (RISK, WHY, "سلمى الخطيب", "+961 70 000 111", "مصاب بالسكري", "Eligible: documented threats"):
        assert secret not in tunis.content()
    _submit(tunis.get_by_role("button", name="Accept: we can receive them"))
    assert "Accepted" in flash(tunis)
    relocation.refresh_from_db()
    assert (relocation.status, relocation.host.organisation) == ("preparing", "Tunis shelter")
    assert (relocation.starts_on, relocation.ends_on) == (starts_on, ends_on)
    _submit(tunis.get_by_role("button", name="Confirm the arrival"))
    assert "Arrival confirmed" in flash(tunis)
    assert Relocation.objects.get(pk=relocation.pk).status == "in_residence"

    # --- 4. beat's task, run by the worker, writes the two months begun; finance confirms them ---
    assert create_stipends.delay().get(timeout=30) == 2
    assert create_stipends.delay().get(timeout=30) == 0  # beat running twice writes nothing twice
    months = list(StipendInstalment.objects.filter(relocation=relocation).order_by("month").values_list(
        "month", "people", "amount_minor"))
    assert months == [(starts_on, 3, 120_000), (add_months(starts_on, 1), 3, 120_000)]

    dalia = browsing.person("finance")
    log_in(dalia, base, finance)  # finance lands on /cases/payments/
    stipends = dalia.locator("main tr[id^='stipend-']")
    assert stipends.count() == 2
    assert all(ref in row and "نورس" in row and "1,200.00" in row for row in stipends.all_inner_texts())
    for _month in range(2):
        _submit(dalia.locator("main tr[id^='stipend-']").first.get_by_role("button", name="Confirm paid"))
        assert "Stipend confirmed as paid." in flash(dalia)
    assert dalia.locator("main tr[id^='stipend-']").count() == 0
    assert not StipendInstalment.objects.filter(relocation=relocation, paid_on__isnull=True).exists()
    assert set(StipendInstalment.objects.values_list("confirmed_by", flat=True)) == {finance.pk}

    # --- 5. past 12 months the caseworker is refused; a coordinator approves the extension ---
    amina.goto(base + f"/relocations/{ref}/")
    visited(amina)
    assert "2,400.00" in amina.locator("#totals").inner_text()  # both stipends written and paid
    open_details(amina, "Extend the stay")
    extend = relocation_form(amina, ref, "extend")
    extend.get_by_label("New end of the stay").fill(extended_to.isoformat())
    _submit(extend.get_by_role("button", name="Extend"))
    assert "a coordinator must approve it" in amina.locator("main").inner_text()
    assert browsing.failed_pages.pop() == f"caseworker: 409 POST {base}/relocations/{ref}/extend/"  # the refusal
    assert Relocation.objects.get(pk=relocation.pk).ends_on == ends_on  # the refusal changed nothing

    elif_ = browsing.person("coordinator")
    log_in(elif_, base, coordinator)
    open_relocation(elif_, base, ref)
    open_details(elif_, "Extend the stay")
    extend = relocation_form(elif_, ref, "extend")
    extend.get_by_label("New end of the stay").fill(extended_to.isoformat())
    _submit(extend.get_by_role("button", name="Extend"))
    assert "Stay extended." in flash(elif_)
    relocation.refresh_from_db()
    assert (relocation.status, relocation.ends_on) == ("extended", extended_to)

    # --- 6. the stay ends (the host confirms the departure) and the follow-up check-in appears ---
    tunis.goto(base + f"/host/{ref}/")
    visited(tunis)
    open_details(tunis, "Confirm the departure")
    _submit(tunis.get_by_role("button", name="They have left: end the stay"))
    assert "Departure confirmed" in flash(tunis)
    relocation.refresh_from_db()
    assert relocation.status == "ended"
    due_on = FollowUpCheckIn.objects.get(relocation=relocation).due_on
    assert due_on == today + datetime.timedelta(days=30)

    amina.goto(base + "/relocations/")
    visited(amina)
    checkins = amina.locator("main section[aria-labelledby=checkins]")
    assert ref in checkins.inner_text() and due_on.isoformat() in checkins.inner_text()
    _submit(checkins.get_by_role("link", name=ref, exact=True))
    section = amina.locator("main section[aria-labelledby=checkin-h]")
    assert due_on.isoformat() in section.inner_text() and "not yet" in section.inner_text()
    record = relocation_form(amina, ref, "checkin")
    record.get_by_label("Date of the check-in").fill(today.isoformat())
    record.get_by_label("How the defender is").select_option(index=1)
    record.get_by_label("Note (confidential)").fill("Back home, working again; no new incident.")
    _submit(record.get_by_role("button", name="Record the check-in"))
    assert "Follow-up check-in recorded." in flash(amina)
    assert FollowUpCheckIn.objects.get(relocation=relocation).done_on == today
    amina.goto(base + "/relocations/")
    assert amina.locator("main section[aria-labelledby=checkins]").count() == 0  # nothing left to follow up

    browsing.assert_clean()
