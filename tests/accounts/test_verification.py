"""Logging in with the second factor: a code from the app, or a recovery code that works once."""

from __future__ import annotations

import re

import pytest

from protect.accounts import services
from protect.accounts.models import RecoveryCode, RecoveryCodeDevice
from tests.helpers import PASSWORD, current_code


@pytest.fixture
def enrolled(caseworker):
    device, codes = services.totp_device_enrol_confirmed(user=caseworker)
    return caseworker, device, codes


def _password_step(client, user):
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})


@pytest.mark.django_db
def test_a_code_from_the_app_verifies_and_leads_to_the_page_asked_for(client, enrolled, audit_actions):
    user, device, _ = enrolled
    _password_step(client, user)
    response = client.post("/accounts/2fa/verify/", {"code": current_code(device), "next": "/accounts/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert client.get("/accounts/").status_code == 200
    assert audit_actions("accounts.2fa") == ["accounts.2fa.enrolled", "accounts.2fa.verified"]


@pytest.mark.django_db
def test_the_same_app_code_cannot_be_used_twice(client, enrolled):
    user, device, _ = enrolled
    code = current_code(device)
    _password_step(client, user)
    client.post("/accounts/2fa/verify/", {"code": code})
    client.post("/accounts/logout/")
    _password_step(client, user)
    response = client.post("/accounts/2fa/verify/", {"code": code})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_code_is_refused(client, enrolled, audit_actions):
    user, device, _ = enrolled
    _password_step(client, user)
    wrong = f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/verify/", {"code": wrong})
    assert response.status_code == 200
    assert client.get("/accounts/")["Location"].startswith("/accounts/2fa/verify/")
    assert "accounts.2fa.failed" in audit_actions()


@pytest.mark.django_db
def test_a_recovery_code_works_once_and_is_then_used_up(client, enrolled, audit_actions):
    user, _device, codes = enrolled
    _password_step(client, user)
    response = client.post("/accounts/2fa/verify/", {"code": codes[0].upper()[:4] + "-" + codes[0][4:]})
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200
    assert RecoveryCode.objects.filter(device__user=user).count() == 9
    assert "accounts.2fa.recovery_code_used" in audit_actions()

    client.post("/accounts/logout/")
    _password_step(client, user)
    response = client.post("/accounts/2fa/verify/", {"code": codes[0]})
    assert response.status_code == 200
    assert client.get("/accounts/")["Location"].startswith("/accounts/2fa/verify/")


@pytest.mark.django_db
def test_a_next_address_on_another_site_is_ignored(client, enrolled, settings):
    user, device, _ = enrolled
    _password_step(client, user)
    response = client.post("/accounts/2fa/verify/", {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


@pytest.mark.django_db
def test_new_recovery_codes_need_an_app_code_and_replace_the_old_ones(client, enrolled, audit_actions):
    from tests.helpers import login_verified

    user, device, old_codes = enrolled
    login_verified(client, user)
    refused = client.post("/accounts/2fa/recovery-codes/", {"code": old_codes[1]})
    assert "not right" in refused.content.decode()
    response = client.post("/accounts/2fa/recovery-codes/", {"code": current_code(device)})
    assert response.status_code == 200
    shown = set(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode()))
    sheet = RecoveryCodeDevice.objects.get(user=user)
    digests = set(RecoveryCode.objects.filter(device=sheet).values_list("digest", flat=True))
    assert len(shown) == 10 and not shown & set(old_codes)
    assert digests == {sheet.code_digest(code) for code in shown}
    assert not digests & {sheet.code_digest(code) for code in old_codes}
    assert "accounts.2fa.recovery_codes_regenerated" in audit_actions()
