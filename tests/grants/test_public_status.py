"""The status page: a receipt code and passphrase open it for a short while; it shows the status in
plain words and the caseworker's questions, and never what the requester wrote."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from django.core.cache import cache
from django.test import Client

from grants.models import Grant, Message
from grants.public_forms import REQUEST_FORM
from grants.services import RequestDetails, grant_submit_public
from protect.cases.services.casefile import case_ask_requester, case_requester_reply
from protect.cases.services.routing import case_route
from protect.cases.services.transitions import case_transition
from protect.cases.status_page import REQUESTER_SESSION_KEY, STATUS_LOGIN_FORM
from protect.public import ratelimit
from protect.public.form_token import form_token_issue
from protect.public.ratelimit import rate_key

pytestmark = pytest.mark.django_db

INCIDENT = "INCIDENT-TEXT: the police raided the radio station."
THREAT = "THREAT-TEXT: a summons for next Tuesday."
QUESTION = "QUESTION-TEXT: which court issued the summons?"
OWN_ANSWER = "OWN-ANSWER-TEXT: the Nairobi high court."


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 100_000
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 100_000


@pytest.fixture
def submitted(db):
    """A request as the public form records it: (grant, receipt code, passphrase)."""
    details = RequestDetails(
        risk_kinds=["threats", "raid"], urgency="critical", needs=["legal"], amount_requested_minor=300_000,
        currency="EUR", incident=INCIDENT, threat=THREAT, language="en",
    )
    grant, requester = grant_submit_public(
        defender_data={"pseudonym": "Kestrel", "legal_name": "Achieng Otieno", "country": "KE",
                       "contacts": {"signal": "+254700000001"}, "languages": ["en"]},
        details=details,
    )
    return grant, requester.receipt_code, requester.passphrase


@pytest.fixture
def questioned(submitted, caseworker, team_africa):
    """The request routed to the Africa desk, with a question from its caseworker."""
    grant, receipt, passphrase = submitted
    grant = case_route(model=Grant, case_id=grant.pk)
    case_ask_requester(case=grant, by=caseworker, question=QUESTION)
    grant.refresh_from_db()
    assert grant.status == "info_requested"
    return grant, receipt, passphrase


def login_token() -> str:
    """The status log-in form's token, as a page served ten seconds ago carries it."""
    return form_token_issue(purpose=STATUS_LOGIN_FORM, now=time.time() - 10)


def login(client, receipt: str, passphrase: str, prefix: str = ""):
    return client.post(f"{prefix}/request/status/", {"action": "login", "receipt_code": receipt,
                                                      "passphrase": passphrase, "form_token": login_token()})


def without_tokens(html: str) -> str:
    return re.sub(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]+"', "", html)


# --- opening the page ------------------------------------------------------------------------------


def test_the_right_receipt_and_passphrase_open_the_page_without_any_secret_in_a_url(client, submitted):
    grant, receipt, passphrase = submitted

    response = login(client, receipt.lower().replace("-", " "), passphrase.upper())

    assert response.status_code == 302 and response["Location"] == "/request/status/"
    assert client.session[REQUESTER_SESSION_KEY]["id"] == grant.pk
    # no secret, no text: "receipt" is a digest of the receipt's blind index, to end the session on a re-issue
    assert set(client.session[REQUESTER_SESSION_KEY]) == {"case", "id", "until", "receipt"}
    assert receipt.replace("-", "") not in str(client.session[REQUESTER_SESSION_KEY]).upper()
    html = client.get("/request/status/").content.decode()
    assert "We received your request. A caseworker will look at it soon." in html


def test_a_wrong_passphrase_and_an_unknown_receipt_give_the_same_response(client, submitted):
    _grant, receipt, _passphrase = submitted

    wrong_passphrase = login(client, receipt, "apple banana cherry delta echo foxtrot golf")
    unknown_receipt = login(Client(), "ABCD-EFGH-JKMN", "apple banana cherry delta echo foxtrot golf")

    assert wrong_passphrase.status_code == unknown_receipt.status_code == 200
    assert without_tokens(wrong_passphrase.content.decode()) == without_tokens(unknown_receipt.content.decode())
    assert "Receipt code or passphrase not recognised." in wrong_passphrase.content.decode()
    assert receipt not in wrong_passphrase.content.decode()  # the page never echoes what was typed
    assert REQUESTER_SESSION_KEY not in client.session


def test_after_five_failures_the_receipt_is_locked_even_with_the_right_passphrase(client, submitted):
    grant, receipt, passphrase = submitted
    for _ in range(5):
        login(client, receipt, "wrong words entirely")

    locked = login(client, receipt, passphrase)
    unknown = login(Client(), "ABCD-EFGH-JKMN", passphrase)

    assert locked.status_code == 200 and REQUESTER_SESSION_KEY not in client.session
    assert without_tokens(locked.content.decode()) == without_tokens(unknown.content.decode())
    grant.refresh_from_db()
    assert grant.status_locked_until is not None
    # Once the pause is over, the right passphrase opens it again.
    Grant.objects.filter(pk=grant.pk).update(status_locked_until=None)
    assert login(client, receipt, passphrase).status_code == 302


def test_an_empty_login_asks_for_both_without_saying_more(client, submitted):
    response = login(client, "", "")

    assert "Enter your receipt code and your passphrase." in response.content.decode()
    assert REQUESTER_SESSION_KEY not in client.session


def test_status_logins_are_rate_limited(client, submitted, settings, monkeypatch):
    _grant, receipt, passphrase = submitted
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 1
    minute = 10**9 + secrets.randbelow(10**6)
    monkeypatch.setattr(ratelimit, "_clock", lambda: minute * 60.0)

    login(client, receipt, "wrong words entirely")
    response = login(client, receipt, passphrase)

    assert response.status_code == 429
    assert "Please wait one minute" in response.content.decode()
    assert REQUESTER_SESSION_KEY not in client.session


def test_the_login_form_carries_a_fresh_form_token_each_time(client):
    first = client.get("/request/status/").content.decode()
    second = client.get("/request/status/").content.decode()

    tokens = [re.search(r'name="form_token" value="([^"]+)"', html).group(1) for html in (first, second)]
    assert tokens[0] != tokens[1]


@pytest.mark.parametrize("token", ["none", "forged", "too fast", "expired", "another form's"])
def test_a_login_without_a_usable_form_token_tries_nothing_and_counts_nothing(
    client, submitted, settings, monkeypatch, token
):
    grant, receipt, passphrase = submitted
    minute = 10**9 + secrets.randbelow(10**6)
    monkeypatch.setattr(ratelimit, "_clock", lambda: minute * 60.0)
    value = {
        "none": "", "forged": "forged",
        "too fast": form_token_issue(purpose=STATUS_LOGIN_FORM),
        "expired": form_token_issue(purpose=STATUS_LOGIN_FORM, now=time.time() - 3 * 3600),
        "another form's": form_token_issue(purpose=REQUEST_FORM, now=time.time() - 10),
    }[token]

    response = client.post("/request/status/", {"action": "login", "receipt_code": receipt,
                                                 "passphrase": passphrase, "form_token": value})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter your receipt code and passphrase again." in html
    assert receipt not in html and passphrase not in html
    assert REQUESTER_SESSION_KEY not in client.session
    assert cache.get(rate_key(bucket="status-login")) is None  # nothing counted
    grant.refresh_from_db()
    assert grant.status_failures == 0  # and the passphrase was never tried


def test_the_login_form_token_notice_speaks_the_language_of_the_page(client, submitted):
    _grant, receipt, passphrase = submitted

    response = client.post("/fr/request/status/", {"action": "login", "receipt_code": receipt, "passphrase": passphrase})

    assert "Veuillez saisir à nouveau votre code de reçu et votre phrase secrète." in response.content.decode()


def test_a_login_form_token_opens_the_page_once(client, submitted):
    _grant, receipt, passphrase = submitted
    token = login_token()
    data = {"action": "login", "receipt_code": receipt, "passphrase": passphrase, "form_token": token}

    assert client.post("/request/status/", data).status_code == 302
    replayed = Client().post("/request/status/", data)

    assert replayed.status_code == 200
    assert "Please enter your receipt code and passphrase again." in replayed.content.decode()


# --- what the page shows ----------------------------------------------------------------------------


def test_the_page_shows_the_question_and_never_the_request_the_name_or_the_own_earlier_answer(client, questioned):
    grant, receipt, passphrase = questioned
    case_requester_reply(case=grant, body=OWN_ANSWER)
    grant = Grant.objects.get(pk=grant.pk)
    case_ask_requester(case=grant, by=grant.caseworker, question="QUESTION-TWO: and the case number?")
    login(client, receipt, passphrase)

    html = client.get("/request/status/").content.decode()

    assert "We asked you a question: please answer below." in html
    assert QUESTION in html and "QUESTION-TWO: and the case number?" in html
    assert "You answered on" in html
    for secret in (OWN_ANSWER, "OWN-ANSWER", INCIDENT, "INCIDENT-TEXT", "THREAT-TEXT", "Achieng", "Otieno",
                   "Kestrel", "+254700000001", "3000", grant.reference, grant.defender.reference):
        assert secret not in html, secret


def test_every_status_has_a_plain_sentence():
    assert set(Grant.REQUESTER_SENTENCES) == set(Grant.Status.values)


def test_the_status_page_speaks_the_language_of_its_url(client, questioned):
    _grant, receipt, passphrase = questioned

    response = login(client, receipt, passphrase, prefix="/ar")
    html = client.get("/ar/request/status/").content.decode()

    assert response["Location"] == "/ar/request/status/"
    assert '<html lang="ar" dir="rtl">' in html
    assert "طرحنا عليك سؤالًا: يُرجى الإجابة أدناه." in html and QUESTION in html


# --- answering --------------------------------------------------------------------------------------


def test_answering_moves_an_info_requested_grant_back_to_triage_and_the_answer_is_not_shown(client, questioned):
    grant, receipt, passphrase = questioned
    login(client, receipt, passphrase)

    response = client.post("/request/status/", {"action": "answer", "body": OWN_ANSWER})

    assert response.status_code == 302 and response["Location"] == "/request/status/"
    grant.refresh_from_db()
    assert grant.status == "triage"
    answer = Message.objects.get(case=grant, direction="from_requester")
    assert answer.body == OWN_ANSWER and answer.author is None
    html = client.get("/request/status/").content.decode()
    assert "Thank you. Your answer was sent." in html
    assert "We are looking at your request." in html
    assert OWN_ANSWER not in html and "You answered on" in html


def test_an_empty_answer_is_refused_and_changes_nothing(client, questioned):
    grant, receipt, passphrase = questioned
    login(client, receipt, passphrase)

    response = client.post("/request/status/", {"action": "answer", "body": "   "})

    assert response.status_code == 200 and 'id="id_body_error"' in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == "info_requested" and not Message.objects.filter(direction="from_requester").exists()


def test_answers_need_the_csrf_token(questioned):
    _grant, receipt, passphrase = questioned
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/request/status/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post("/request/status/", {"action": "login", "receipt_code": receipt, "passphrase": passphrase,
                                             "form_token": login_token(), "csrfmiddlewaretoken": token}).status_code == 302

    forged = browser.post("/request/status/", {"action": "answer", "body": "from another site"})

    assert forged.status_code == 403
    assert not Message.objects.filter(direction="from_requester").exists()


def test_a_closed_request_offers_no_answer_form(client, questioned, caseworker):

    grant, receipt, passphrase = questioned
    case_transition(case=grant, by=caseworker, action="withdraw", reason="The defender asked us to stop.")
    login(client, receipt, passphrase)

    html = client.get("/request/status/").content.decode()

    assert "This request was withdrawn." in html
    assert 'name="body"' not in html
    assert "The defender asked us to stop." not in html


# --- the access ends ----------------------------------------------------------------------------------


def test_the_access_expires_after_a_short_time(client, questioned):
    grant, receipt, passphrase = questioned
    login(client, receipt, passphrase)
    session = client.session
    assert session[REQUESTER_SESSION_KEY]["until"] - time.time() == pytest.approx(15 * 60, abs=5)
    session[REQUESTER_SESSION_KEY] = {"grant": grant.pk, "until": int(time.time()) - 1}
    session.save()

    html = client.get("/request/status/").content.decode()
    answered = client.post("/request/status/", {"action": "answer", "body": "too late"})

    assert "Your time on the status page ended." in html and QUESTION not in html
    assert QUESTION not in answered.content.decode()
    assert not Message.objects.filter(direction="from_requester").exists()
    assert REQUESTER_SESSION_KEY not in client.session


def test_leave_clears_the_access(client, questioned):
    _grant, receipt, passphrase = questioned
    login(client, receipt, passphrase)

    response = client.post("/request/status/leave/")

    assert response.status_code == 302 and response["Location"] == "/request/status/"
    assert REQUESTER_SESSION_KEY not in client.session
    html = client.get("/request/status/").content.decode()
    assert "You have left the status page." in html
    assert QUESTION not in html and 'name="receipt_code"' in html


def test_leaving_keeps_a_staff_login_but_drops_the_requester_access(client, questioned, coordinator):
    from tests.helpers import login_verified

    _grant, receipt, passphrase = questioned
    login_verified(client, coordinator)
    login(client, receipt, passphrase)

    client.post("/request/status/leave/")

    assert REQUESTER_SESSION_KEY not in client.session
    assert client.session.get("_auth_user_id") == str(coordinator.pk)


def test_the_null_origin_of_our_no_referrer_pages_passes_with_the_csrf_token_and_nothing_else_does(questioned):
    """Browsers post from a `Referrer-Policy: no-referrer` page with `Origin: null` (and
    `Sec-Fetch-Site: same-origin`); the token is still required."""
    _grant, receipt, passphrase = questioned
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/request/status/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    opened = browser.post("/request/status/", {"action": "login", "receipt_code": receipt, "passphrase": passphrase,
                                               "form_token": login_token(), "csrfmiddlewaretoken": token},
                         HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
    other_site = browser.post("/request/status/", {"action": "answer", "body": "x", "csrfmiddlewaretoken": token},
                              HTTP_ORIGIN="https://evil.example")
    no_token = browser.post("/request/status/", {"action": "answer", "body": "x"},
                            HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
    null_from_elsewhere = browser.post("/request/status/", {"action": "answer", "body": "x",
                                                            "csrfmiddlewaretoken": token},
                                       HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site")

    assert opened.status_code == 302
    assert other_site.status_code == no_token.status_code == null_from_elsewhere.status_code == 403
    assert not Message.objects.filter(direction="from_requester").exists()
