"""Sessions: a new key at login and again after the second factor, 30 minutes idle, 12 hours at
most, and each one recorded so it can be ended."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from protect.accounts.middleware import AUTH_AT_SESSION_KEY, IDLE_PUSHED_SESSION_KEY
from protect.accounts.models import UserSession
from tests.helpers import PASSWORD, current_code, enrol_totp, login_verified

COOKIE = settings.SESSION_COOKIE_NAME


@pytest.mark.django_db
def test_the_session_key_changes_at_login_and_again_after_the_second_factor(client, caseworker):
    device = enrol_totp(caseworker)
    client.get("/accounts/login/")
    session = client.session  # an anonymous session, as a visitor may have before logging in
    session["probe"] = 1
    session.save()
    anonymous_key = client.cookies[COOKIE].value

    client.post("/accounts/login/", {"username": caseworker.username, "password": PASSWORD})
    password_key = client.cookies[COOKIE].value
    assert password_key != anonymous_key
    assert not Session.objects.filter(session_key=anonymous_key).exists()

    client.post("/accounts/2fa/verify/", {"code": current_code(device)})
    verified_key = client.cookies[COOKIE].value
    assert verified_key != password_key
    assert not Session.objects.filter(session_key=password_key).exists()
    # The record used to end sessions follows the key.
    assert list(UserSession.objects.filter(user=caseworker).values_list("session_key", flat=True)) == [verified_key]


@pytest.mark.django_db
def test_a_session_ends_twelve_hours_after_login_however_active(client, caseworker):
    login_verified(client, caseworker)
    assert client.get("/accounts/").status_code == 200
    session = client.session
    session[AUTH_AT_SESSION_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert not UserSession.objects.filter(user=caseworker).exists()


@pytest.mark.django_db
def test_a_session_is_kept_just_before_the_twelve_hours(client, caseworker):
    login_verified(client, caseworker)
    session = client.session
    session[AUTH_AT_SESSION_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert client.get("/accounts/").status_code == 200


@pytest.mark.django_db
def test_a_session_without_a_login_time_is_ended(client, caseworker):
    login_verified(client, caseworker)
    session = client.session
    del session[AUTH_AT_SESSION_KEY]
    session.save()
    assert client.get("/accounts/")["Location"].startswith("/accounts/login/")


def test_idle_sessions_expire_after_thirty_minutes_and_a_request_restarts_the_clock():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # pushed back by the middleware, once a minute
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


def _age_idle_push(key: str, seconds: int) -> None:
    """Pretend the idle expiry was last pushed back `seconds` ago, and now ends in 5 minutes."""
    store = SessionStore(session_key=key)
    store[IDLE_PUSHED_SESSION_KEY] = int(time.time()) - seconds
    store.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))


@pytest.mark.django_db
def test_a_request_pushes_the_idle_expiry_back_once_the_last_push_is_a_minute_old(client, caseworker):
    login_verified(client, caseworker)
    _age_idle_push(client.cookies[COOKIE].value, 61)
    client.get("/accounts/")
    expiry = Session.objects.get(session_key=client.cookies[COOKIE].value).expire_date
    assert expiry > timezone.now() + timedelta(minutes=29)


@pytest.mark.django_db
def test_a_read_within_the_minute_writes_no_session(client, caseworker):
    login_verified(client, caseworker)
    client.get("/accounts/")
    _age_idle_push(client.cookies[COOKIE].value, 10)
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/")
    assert not [q for q in queries.captured_queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]]
    expiry = Session.objects.get(session_key=client.cookies[COOKIE].value).expire_date
    assert expiry < timezone.now() + timedelta(minutes=6)


@pytest.mark.django_db
def test_a_session_idle_for_thirty_minutes_is_logged_out(client, caseworker):
    login_verified(client, caseworker)
    key = client.cookies[COOKIE].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_logging_out_forgets_the_session_record(client, caseworker):
    login_verified(client, caseworker)
    assert UserSession.objects.filter(user=caseworker).count() == 1
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(user=caseworker).exists()
