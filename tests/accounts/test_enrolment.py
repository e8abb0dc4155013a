"""First login: the password leads to enrolment of an authenticator app, opened by the enrolment
code a coordinator gave out of band and confirmed by a code from the app, which yields ten recovery
codes shown once."""

from __future__ import annotations

import re

import pytest

from protect.accounts.models import AuthenticatorDevice, RecoveryCode, RecoveryCodeDevice
from tests.helpers import PASSWORD, current_code, enrol_totp, issue_enrolment_code


def _log_in(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def _log_in_with_enrolment_code(client, user):
    """The password, then the code the coordinator gave: the page that shows the key comes next."""
    code = issue_enrolment_code(user)
    _log_in(client, user)
    response = client.post("/accounts/2fa/setup/", {"enrolment_code": code})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/setup/"
    return response


@pytest.mark.django_db
def test_the_password_of_a_user_without_an_authenticator_leads_to_enrolment(client, caseworker):
    response = _log_in(client, caseworker)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/setup/"


@pytest.mark.django_db
def test_the_password_of_an_enrolled_user_leads_to_verification_with_the_page_asked_for(client, caseworker):
    enrol_totp(caseworker)
    response = _log_in(client, caseworker, next_url="/accounts/password/")
    assert response["Location"] == "/accounts/2fa/verify/?next=%2Faccounts%2Fpassword%2F"


@pytest.mark.django_db
def test_the_enrolment_page_shows_the_key_as_an_inline_image_and_as_text_without_script(client, caseworker):
    _log_in_with_enrolment_code(client, caseworker)
    html = client.get("/accounts/2fa/setup/").content.decode()
    device = AuthenticatorDevice.objects.get(user=caseworker, confirmed=False)
    assert 'src="data:image/png;base64,' in html
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    assert secret[:4] + " " + secret[4:8] in html
    assert "<script" not in html and "style=" not in html
    # Reloading shows the same key, so a code from an app scanned a minute ago still works.
    client.get("/accounts/2fa/setup/")
    assert AuthenticatorDevice.objects.filter(user=caseworker).count() == 1


@pytest.mark.django_db
def test_a_correct_code_enrols_shows_ten_recovery_codes_and_verifies_the_session(client, caseworker, audit_actions):
    _log_in_with_enrolment_code(client, caseworker)
    client.get("/accounts/2fa/setup/")
    device = AuthenticatorDevice.objects.get(user=caseworker)
    response = client.post("/accounts/2fa/setup/", {"code": current_code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    sheet = RecoveryCodeDevice.objects.get(user=caseworker)
    assert set(RecoveryCode.objects.filter(device=sheet).values_list("digest", flat=True)) == {
        sheet.code_digest(code) for code in codes
    }
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/accounts/").status_code == 200  # verified: staff pages open
    assert "accounts.2fa.enrolled" in audit_actions("accounts.2fa")


@pytest.mark.django_db
def test_a_wrong_code_is_rejected_and_leaves_the_session_unverified(client, caseworker, audit_actions):
    _log_in_with_enrolment_code(client, caseworker)
    client.get("/accounts/2fa/setup/")
    device = AuthenticatorDevice.objects.get(user=caseworker)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/setup/", {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # the failure counts towards throttling
    assert client.get("/accounts/")["Location"].startswith("/accounts/2fa/setup/")
    assert "accounts.2fa.enrolled" not in audit_actions()


@pytest.mark.django_db
def test_an_enrolled_user_cannot_enrol_a_second_phone_with_the_password_alone(client, caseworker):
    enrol_totp(caseworker)
    _log_in(client, caseworker)
    response = client.get("/accounts/2fa/setup/")
    assert response["Location"].startswith("/accounts/2fa/verify/")
    assert AuthenticatorDevice.objects.filter(user=caseworker).count() == 1
