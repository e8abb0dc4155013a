"""Issue 8, item 13: every requester log-in to the status page is audited, success, failure and
lockout alike, with a reason code and never the receipt code, the passphrase or an IP address; a
failure for an unknown receipt is an event without a target."""

from __future__ import annotations

import json
import time

import pytest

from protect.audit.models import AuditEvent
from protect.audit.phrases import describe
from protect.cases.status_page import STATUS_LOGIN_FORM
from protect.defenders.services import defender_create
from protect.public.form_token import form_token_issue
from tests.toykind.services import toy_submit

pytestmark = pytest.mark.django_db
IP = "203.0.113.77"


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 100_000


@pytest.fixture
def toy(caseworker):
    defender = defender_create(by=caseworker, pseudonym="Heron", legal_name="Toy Person", country="KE")
    return toy_submit(defender=defender, story="A story only staff may read.", urgency="high")


def _login(client, receipt, passphrase):
    token = form_token_issue(purpose=STATUS_LOGIN_FORM, now=time.time() - 10)
    return client.post("/request/status/", {"action": "login", "receipt_code": receipt, "passphrase": passphrase,
                                            "form_token": token}, REMOTE_ADDR=IP, HTTP_X_FORWARDED_FOR=IP)


def _requester_events():
    return list(AuditEvent.objects.filter(action__startswith="cases.requester.").order_by("seq"))


def _assert_nothing_secret(events, *secrets):
    for event in events:
        stored = json.dumps([event.data, event.actor_label, event.target_id])
        for secret in (IP, *secrets):
            assert secret not in stored and secret.replace("-", "") not in stored


def test_a_successful_log_in_is_audited_as_a_read_of_the_case(client, toy):
    case, secrets = toy
    assert _login(client, secrets.receipt_code, secrets.passphrase).status_code == 302
    [event] = _requester_events()
    assert (event.action, event.target_type, event.target_id) == ("cases.requester.logged_in", "toykind.toy", str(case.pk))
    assert event.actor_id is None and event.actor_label == "requester"
    _assert_nothing_secret([event], secrets.receipt_code, secrets.passphrase)


def test_a_wrong_passphrase_is_audited_with_its_reason(client, toy):
    case, secrets = toy
    _login(client, secrets.receipt_code, "wrong words entirely")
    [event] = _requester_events()
    assert (event.action, event.target_id) == ("cases.requester.login_failed", str(case.pk))
    assert event.data == {"reason": "wrong_passphrase", "failures": 1}
    _assert_nothing_secret([event], secrets.receipt_code, "wrong words entirely")


def test_an_unknown_receipt_is_a_failure_without_a_target(client, toy):
    _login(client, "ABCD-EFGH-JKLM", "any passphrase at all")
    [event] = _requester_events()
    assert event.action == "cases.requester.login_failed" and event.data == {"reason": "unknown_receipt"}
    assert (event.target_type, event.target_id) == ("", "")
    _assert_nothing_secret([event], "ABCD-EFGH-JKLM", "any passphrase at all")


def test_the_lockout_and_the_attempts_it_refuses_are_audited(client, toy):
    case, secrets = toy
    for _ in range(5):
        _login(client, secrets.receipt_code, "nope nope nope")
    _login(client, secrets.receipt_code, secrets.passphrase)  # the right one, while paused
    events = _requester_events()
    assert [e.action for e in events] == ["cases.requester.login_failed"] * 5 + [
        "cases.requester.locked", "cases.requester.login_failed"]
    assert events[5].data == {"minutes": 15} and events[6].data == {"reason": "paused"}
    assert {e.target_id for e in events} == {str(case.pk)}
    _assert_nothing_secret(events, secrets.receipt_code, secrets.passphrase)


def test_the_case_timeline_says_it_in_words(client, toy):
    _, secrets = toy
    _login(client, secrets.receipt_code, secrets.passphrase)
    assert describe(_requester_events()[0]) == "requester opened the status page"
