"""Disabling an account: it cannot log in, its open sessions end at once, its tokens stop."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from protect.accounts import services
from protect.accounts.models import ApiToken, UserSession
from protect.core.errors import PermissionDenied
from tests.helpers import PASSWORD, login_verified


@pytest.mark.django_db
def test_disabling_ends_every_session_of_the_user_and_revokes_their_tokens(coordinator, partner, audit_actions):
    laptop, phone = Client(), Client()
    login_verified(laptop, partner)
    login_verified(phone, partner)
    token, _raw = services.api_token_issue(user=partner, name="referrals", by=coordinator, scopes=["referrals:read"])
    assert UserSession.objects.filter(user=partner).count() == 2

    services.user_disable(user=partner, by=coordinator, reason="Left the organisation")

    for client in (laptop, phone):
        response = client.get("/accounts/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert "_auth_user_id" not in client.session
    assert not UserSession.objects.filter(user=partner).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    partner.refresh_from_db()
    assert not partner.is_active
    assert "accounts.user.disabled" in audit_actions()


@pytest.mark.django_db
def test_the_disabled_session_is_gone_from_the_store_not_only_refused(coordinator, caseworker):
    client = Client()
    login_verified(client, caseworker)
    key = client.cookies["sessionid"].value
    services.user_disable(user=caseworker, by=coordinator, reason="Compromised laptop")
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_a_disabled_user_cannot_log_in_again(client, coordinator, caseworker):
    services.user_disable(user=caseworker, by=coordinator, reason="x")
    response = client.post("/accounts/login/", {"username": caseworker.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_only_a_coordinator_may_disable_and_not_their_own_account(caseworker, coordinator, second_coordinator):
    with pytest.raises(PermissionDenied):
        services.user_disable(user=coordinator, by=caseworker, reason="x")
    with pytest.raises(services.AccountsError):
        services.user_disable(user=coordinator, by=coordinator, reason="x")
    services.user_disable(user=coordinator, by=second_coordinator, reason="On leave")
    coordinator.refresh_from_db()
    assert not coordinator.is_active


@pytest.mark.django_db
def test_disabling_twice_changes_nothing_the_second_time(coordinator, caseworker, audit_actions):
    services.user_disable(user=caseworker, by=coordinator, reason="x")
    services.user_disable(user=caseworker, by=coordinator, reason="x")
    assert audit_actions("accounts.user.disabled") == ["accounts.user.disabled"]


@pytest.mark.django_db
def test_the_disable_page_disables_for_a_coordinator_and_is_refused_to_others(client, coordinator, caseworker,
                                                                            reviewer):
    login_verified(client, reviewer)
    assert client.post(f"/accounts/users/{caseworker.pk}/disable/", {"reason": "x"}).status_code == 403
    login_verified(client, coordinator)
    response = client.post(f"/accounts/users/{caseworker.pk}/disable/", {"reason": "Contract ended"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    assert ApiToken.objects.count() == 0
