"""Login throttling: after N failures a name is paused, and the page never tells whether an
account exists (same status, same message for unknown names, wrong passwords and locked names)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from protect.accounts.lockout import lockout_key
from tests.helpers import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT


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
