"""Login throttling: every N failures pause a name, briefly and then for longer; too many failures
across all names in a minute hold every login back until the minute ends. The page never tells
whether an account exists (same status, same message for unknown names, wrong passwords, paused
names and the global pause)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from protect.accounts.lockout import lockout_key, pause_length
from tests.helpers import PASSWORD, make_user

LIMIT = settings.LOGIN_FAILURE_LIMIT


def _attempt(client, username, password="wrong password 123"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _page(response) -> str:
    # The CSRF token differs on every page; everything else must be identical.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.django_db
def test_after_n_failures_even_the_right_password_is_refused(client, caseworker):
    for _ in range(LIMIT):
        assert _attempt(client, caseworker.username).status_code == 200
    response = _attempt(client, caseworker.username, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_below_the_limit_the_right_password_still_works_and_clears_the_count(client, caseworker):
    for _ in range(LIMIT - 1):
        _attempt(client, caseworker.username)
    assert _attempt(client, caseworker.username, PASSWORD).status_code == 302
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username=lockout_key(caseworker.username)).exists()


@pytest.mark.django_db
def test_locked_known_and_unknown_names_and_a_wrong_password_get_the_same_page(client, caseworker):
    wrong_password = _attempt(client, caseworker.username)
    unknown = _attempt(client, "caseworker")  # not an account
    for _ in range(LIMIT):
        _attempt(client, caseworker.username)
        _attempt(client, "ghost")
    locked_known = _attempt(client, caseworker.username, PASSWORD)
    locked_unknown = _attempt(client, "ghost", PASSWORD)

    responses = [wrong_password, unknown, locked_known, locked_unknown]
    assert {r.status_code for r in responses} == {200}
    pages = {_page(r).replace(f'value="{caseworker.username}"', 'value="X"').replace('value="caseworker"', 'value="X"')
             .replace('value="ghost"', 'value="X"') for r in responses}
    assert len(pages) == 1
    assert "too many attempts" in pages.pop()


@pytest.mark.django_db
def test_a_disabled_account_gets_the_same_answer_as_a_wrong_password(client, caseworker):
    caseworker.is_active = False
    caseworker.save()
    disabled = _attempt(client, caseworker.username, PASSWORD)
    unknown = _attempt(client, "nobody-here")
    assert disabled.status_code == unknown.status_code == 200
    assert _page(disabled).replace(caseworker.username, "X") == _page(unknown).replace("nobody-here", "X")


@pytest.mark.django_db
def test_a_locked_name_costs_a_password_hash_like_any_other_failure(client, caseworker, monkeypatch):
    from protect.accounts import backends

    for _ in range(LIMIT):
        _attempt(client, caseworker.username)
    hashed = []
    real = backends.make_password
    monkeypatch.setattr(backends, "make_password", lambda pw: hashed.append(1) or real(pw))
    _attempt(client, caseworker.username, PASSWORD)
    assert hashed == [1]


@pytest.mark.django_db
def test_failed_logins_are_audited_without_the_typed_name_or_an_address(client, caseworker):
    from protect.audit.models import AuditEvent

    _attempt(client, caseworker.username)
    _attempt(client, "Maria Lopez")  # a real name typed in the wrong field must not be kept
    events = list(AuditEvent.objects.filter(action="accounts.login.failed").order_by("seq"))
    assert [e.data["account"] for e in events] == ["known", "unknown"]
    assert events[0].target_id == str(caseworker.pk)
    assert events[1].target_id == ""
    stored = " ".join(f"{e.actor_label} {e.target_id} {e.data}" for e in events)
    assert "Maria" not in stored and "127.0.0.1" not in stored


@pytest.mark.django_db
def test_the_lockout_stores_no_ip_address(client, caseworker):
    from axes.models import AccessAttempt

    for _ in range(LIMIT):
        _attempt(client, caseworker.username)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"0.0.0.0"}


@pytest.mark.django_db
def test_retrying_while_paused_does_not_extend_the_pause(client, caseworker):
    from axes.models import AccessAttempt

    for _ in range(LIMIT):
        _attempt(client, caseworker.username)
    before = AccessAttempt.objects.get(username=lockout_key(caseworker.username))
    for _ in range(3):
        _attempt(client, caseworker.username)
    after = AccessAttempt.objects.get(username=lockout_key(caseworker.username))
    assert (after.failures_since_start, after.attempt_time) == (before.failures_since_start, before.attempt_time)


@pytest.mark.django_db
def test_a_lockout_outside_the_login_page_still_answers_with_the_login_failure(rf):
    from protect.accounts.views import lockout_response

    request = rf.post("/elsewhere/", {"username": "someone", "password": "x"})
    response = lockout_response(request, None, {"username": "someone"})
    assert response.status_code == 200
    assert "too many attempts" in response.content.decode()


def test_the_attempts_table_keeps_no_typed_name(client, caseworker):
    from axes.models import AccessAttempt

    for name in (caseworker.username, "Maria Fernanda Quispe"):
        _attempt(client, name, "wrong password")
    stored = list(AccessAttempt.objects.values_list("username", flat=True))
    assert len(stored) == 2 and all(value.startswith("h:") for value in stored)
    assert caseworker.username not in " ".join(stored) and "Maria" not in " ".join(stored)


def _age_failures(username, by):
    """Move the name's recorded failures `by` into the past, as if that much time went by."""
    from axes.models import AccessAttempt

    for attempt in AccessAttempt.objects.filter(username=lockout_key(username)):
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - by)


def _can_log_in(username):
    client = Client()
    return _attempt(client, username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_few_requests_by_someone_who_knows_a_name_pause_it_for_a_minute_not_a_quarter_hour(client, caseworker):
    for _ in range(LIMIT):
        _attempt(client, caseworker.username)
    assert not _can_log_in(caseworker.username)
    _age_failures(caseworker.username, timedelta(minutes=settings.LOGIN_PAUSE_FIRST_MINUTES, seconds=1))
    assert _can_log_in(caseworker.username)


@pytest.mark.django_db
def test_each_new_pause_of_a_name_is_twice_as_long_up_to_the_cap(client, caseworker, settings):
    settings.LOGIN_PAUSE_FIRST_MINUTES, settings.LOGIN_PAUSE_MAX_MINUTES = 1, 8
    settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE = 1000  # this test's minute stands for an hour
    assert [pause_length(n).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
    # Short first pauses must not mean faster guessing: at the cap a name still gets only LIMIT
    # guesses per LOGIN_PAUSE_MAX_MINUTES, as the old fixed pause gave.
    for pause_number in range(1, 7):
        for _ in range(LIMIT):
            _attempt(client, caseworker.username)
        length = pause_length(pause_number)
        _age_failures(caseworker.username, length - timedelta(seconds=5))
        assert not _can_log_in(caseworker.username), pause_number  # still paused just before the end
        _age_failures(caseworker.username, timedelta(seconds=6))
        if pause_number == 6:
            assert _can_log_in(caseworker.username)  # then free again, and the count starts over
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username=lockout_key(caseworker.username)).exists()


@pytest.mark.django_db
def test_a_global_burst_of_failures_holds_every_login_back_until_the_minute_ends(caseworker, settings, monkeypatch,
                                                                                audit_actions, own_login_minute):
    from protect.accounts import lockout

    settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE = 20
    minute = [own_login_minute]
    monkeypatch.setattr(lockout, "_clock", lambda: minute[0] * 60.0)
    sprayer = Client()
    for n in range(settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE):  # one guess at each of many names
        _attempt(sprayer, f"someone-{n}")
    assert not _can_log_in(caseworker.username)  # even the right password waits
    held_back = _attempt(sprayer, "someone-else")
    assert "too many attempts" in held_back.content.decode()
    # Held-back attempts check no password: they neither count nor pause the name they gave.
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username=lockout_key(caseworker.username)).exists()
    assert audit_actions("accounts.login.paused_for_everyone") == ["accounts.login.paused_for_everyone"]
    minute[0] += 1
    assert _can_log_in(caseworker.username)


@pytest.mark.django_db
def test_below_the_global_limit_failures_on_other_names_do_not_stop_a_login(caseworker, settings):
    settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE = 20
    sprayer = Client()
    for n in range(settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE - 1):
        _attempt(sprayer, f"someone-{n}")
    assert _can_log_in(caseworker.username)


@pytest.mark.django_db
def test_the_global_pause_page_is_the_wrong_password_page(client, caseworker, settings):
    settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE = 3
    wrong = _attempt(client, caseworker.username)
    make_user("someone")
    for _ in range(3):
        _attempt(Client(), "someone")
    held_back = _attempt(client, caseworker.username, PASSWORD)
    assert held_back.status_code == wrong.status_code == 200
    assert _page(held_back) == _page(wrong)
