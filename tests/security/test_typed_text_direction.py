"""Issue 9, item 6: text people typed runs in its own direction wherever it is shown. An English
question on the Arabic status page and an Arabic narrative, note, answer or file name on an English
staff page each sit in an element with dir="auto" (or a <bdi>, which is dir="auto" by default), so
they neither take the page's direction nor reorder the words around them."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from alerts.models import Alert
from alerts.services.drafting import alert_draft
from grants.models import Grant
from grants.services import grant_submit_public
from protect.cases.services.casefile import case_add_note, case_ask_requester, case_attach_file, case_requester_reply
from protect.cases.services.routing import case_route
from protect.cases.status_page import STATUS_LOGIN_FORM
from protect.public.form_token import form_token_issue
from relocation.models import Relocation
from relocation.services import relocation_apply_public
from tests.alerts.conftest import TEXTS as ALERT_TEXTS
from tests.grants.conftest import details
from tests.helpers import login_verified
from tests.relocation.conftest import DEFENDER as RELOCATION_DEFENDER
from tests.relocation.conftest import application

pytestmark = pytest.mark.django_db

ARABIC_NARRATIVE = "داهمت قوات الأمن مكتبي وأخذت حاسوبي المحمول"
ARABIC_NOTE = "اتصلت بالمحامي صباح اليوم"
ARABIC_ANSWER = "محكمة طرابلس العسكرية"
ARABIC_RISK = "تهديدات بالقتل بعد نشر التقرير"
ARABIC_FILE = "شهادة.txt"
ENGLISH_QUESTION = "Which court summoned you, and when?"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Isolation(HTMLParser):
    """For each piece of text, whether an element around it (itself included) isolates it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.texts: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        isolates = tag == "bdi" or dict(attrs).get("dir") == "auto"
        self.stack.append(isolates or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip():
            self.texts.append((data, bool(self.stack) and self.stack[-1]))


def assert_isolated(html: str, typed: str) -> None:
    parser = _Isolation()
    parser.feed(html)
    found = [isolated for text, isolated in parser.texts if typed in text]
    assert found, f"{typed!r} is not on the page"
    assert all(found), f"{typed!r} is shown outside any dir=\"auto\" element or <bdi>"


def status_login(client, prefix, receipt, passphrase):
    return client.post(f"{prefix}/request/status/", {
        "action": "login", "receipt_code": receipt, "passphrase": passphrase,
        "form_token": form_token_issue(purpose=STATUS_LOGIN_FORM, now=time.time() - 10)})


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 100_000


@pytest.fixture
def arabic_grant(team_africa, caseworker):
    grant, requester = grant_submit_public(
        defender_data={"pseudonym": "نورس", "legal_name": "", "country": "KE", "contacts": {"signal": "+254700000002"},
                       "languages": ["ar"]},
        details=details(language="ar", incident=ARABIC_NARRATIVE))
    return case_route(model=Grant, case_id=grant.pk), requester


def test_an_english_question_on_the_arabic_status_page_runs_left_to_right(client, caseworker, arabic_grant):
    grant, requester = arabic_grant
    case_ask_requester(case=grant, by=caseworker, question=ENGLISH_QUESTION)
    assert status_login(client, "/ar", requester.receipt_code, requester.passphrase).status_code == 302

    html = client.get("/ar/request/status/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert_isolated(html, ENGLISH_QUESTION)
    assert 'dir="auto"' in re.search(r'<textarea[^>]*name="body"[^>]*>', html).group(0), "the answer box too"


def test_arabic_narrative_note_answer_and_file_name_on_an_english_staff_page(caseworker, arabic_grant):
    grant, _requester = arabic_grant
    case_ask_requester(case=grant, by=caseworker, question=ENGLISH_QUESTION)
    case_requester_reply(case=grant, body=ARABIC_ANSWER)
    case_add_note(case=grant, by=caseworker, body=ARABIC_NOTE)
    case_attach_file(case=grant, by=caseworker, kind="document",
                     uploaded_file=SimpleUploadedFile(ARABIC_FILE, b"A statement."))
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(staff, caseworker)

    html = staff.post(f"/cases/{grant.reference}/reveal/").content.decode()

    assert '<html lang="en" dir="ltr">' in html
    for typed in (ARABIC_NARRATIVE, ARABIC_NOTE, ARABIC_ANSWER, "نورس", ARABIC_FILE.removesuffix(".txt")):
        assert_isolated(html, typed)


def test_an_arabic_risk_on_the_english_relocation_page(caseworker, team_africa):
    relocation, _ = relocation_apply_public(defender_data=dict(RELOCATION_DEFENDER),
                                            details=application(risk=ARABIC_RISK))
    relocation = case_route(model=Relocation, case_id=relocation.pk)
    case_add_note(case=relocation, by=caseworker, body=ARABIC_NOTE)
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(staff, caseworker)

    html = staff.post(f"/relocations/{relocation.reference}/reveal/").content.decode()

    assert_isolated(html, ARABIC_RISK)
    assert_isolated(html, ARABIC_NOTE)


def test_an_arabic_alert_text_on_the_english_alert_desk(caseworker, team_africa, arabic_grant):
    grant, _ = arabic_grant
    alert = alert_draft(by=caseworker, defender=grant.defender, language="ar",
                        **(ALERT_TEXTS | {"facts": ARABIC_NARRATIVE}))
    alert = case_route(model=Alert, case_id=alert.pk)
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(staff, caseworker)

    assert_isolated(staff.get(f"/alert-desk/{alert.reference}/").content.decode(), ARABIC_NARRATIVE)
