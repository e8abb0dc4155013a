"""A reset or a new account is enrolled only by whoever holds the single-use enrolment code a
coordinator handed over out of band: the password alone never shows an authenticator key."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from protect.accounts import services
from protect.accounts.models import AuthenticatorDevice, EnrolmentCode
from protect.accounts.roles import Role
from tests.helpers import PASSWORD, current_code, issue_enrolment_code, login_verified

pytestmark = pytest.mark.django_db

CODE_SHAPE = re.compile(r"<code class=\"secret\">([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>")


def _log_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/setup/"


def _shows_a_key(response) -> bool:
    html = response.content.decode()
    return "data:image/png;base64," in html or 'class="secret"' in html or "otpauth" in html


def _enrol_with_the_app(client, user):
    """Scan the key the page shows and confirm it with the app's code; True if it enrolled."""
    page = client.get("/accounts/2fa/setup/")
    if not _shows_a_key(page):
        return False
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    client.post("/accounts/2fa/setup/", {"code": current_code(device)})
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def _reset_by(coordinator, user) -> str:
    client = Client()
    login_verified(client, coordinator)
    response = client.post(f"/accounts/2fa/reset/{user.pk}/", {"reason": "Phone lost at the border"})
    assert response.status_code == 200
    return CODE_SHAPE.search(response.content.decode()).group(1)


def test_after_a_reset_the_password_alone_cannot_enrol_an_authenticator(coordinator, caseworker):
    services.totp_device_enrol_confirmed(user=caseworker)
    _reset_by(coordinator, caseworker)
    thief = Client()  # knows the password, not the code the coordinator gave by phone
    _log_in(thief, caseworker)
    page = thief.get("/accounts/2fa/setup/")
    assert page.status_code == 200 and not _shows_a_key(page)
    assert not AuthenticatorDevice.objects.filter(user=caseworker).exists()  # no key even made
    assert thief.post("/accounts/2fa/setup/", {"code": "123456"}).status_code == 200
    assert not _enrol_with_the_app(thief, caseworker)
    assert thief.get("/accounts/").status_code == 302  # still not past the second factor


def test_a_new_account_cannot_enrol_with_the_password_alone(coordinator):
    user, _code = services.user_create(username="newcomer", password=PASSWORD, roles=[Role.CASEWORKER],
                                       by=coordinator)
    thief = Client()
    _log_in(thief, user)
    assert not _enrol_with_the_app(thief, user)


def test_the_holder_of_the_code_given_at_the_reset_enrols(coordinator, caseworker, audit_actions):
    services.totp_device_enrol_confirmed(user=caseworker)
    code = _reset_by(coordinator, caseworker)
    owner = Client()
    _log_in(owner, caseworker)
    response = owner.post("/accounts/2fa/setup/", {"enrolment_code": code.upper().replace("-", " ")})
    assert response["Location"] == "/accounts/2fa/setup/"
    assert _enrol_with_the_app(owner, caseworker)
    assert owner.get("/accounts/").status_code == 200
    assert not EnrolmentCode.objects.filter(user=caseworker).exists()  # spent with the enrolment
    assert audit_actions("accounts.2fa.enrolment_code") == ["accounts.2fa.enrolment_code_issued",
                                                            "accounts.2fa.enrolment_code_redeemed"]


def test_only_a_keyed_hash_of_the_code_is_stored(coordinator, caseworker):
    code = _reset_by(coordinator, caseworker)
    row = EnrolmentCode.objects.get(user=caseworker)
    assert code not in row.digest and code.replace("-", "") not in row.digest
    assert len(row.digest) == 64
    from protect.audit.models import AuditEvent

    assert code not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_the_code_works_once_and_only_for_the_session_that_typed_it(caseworker):
    code = issue_enrolment_code(caseworker)
    first, second = Client(), Client()
    _log_in(first, caseworker)
    _log_in(second, caseworker)
    assert first.post("/accounts/2fa/setup/", {"enrolment_code": code}).status_code == 302
    refused = second.post("/accounts/2fa/setup/", {"enrolment_code": code})
    assert refused.status_code == 200 and "already used" in refused.content.decode()
    assert not _shows_a_key(second.get("/accounts/2fa/setup/"))
    assert _enrol_with_the_app(first, caseworker)


def test_an_expired_code_is_refused(caseworker):
    code = issue_enrolment_code(caseworker)
    EnrolmentCode.objects.filter(user=caseworker).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = Client()
    _log_in(client, caseworker)
    assert client.post("/accounts/2fa/setup/", {"enrolment_code": code}).status_code == 200
    assert not _shows_a_key(client.get("/accounts/2fa/setup/"))


def test_a_session_that_typed_the_code_cannot_enrol_once_the_code_has_expired(caseworker):
    code = issue_enrolment_code(caseworker)
    client = Client()
    _log_in(client, caseworker)
    client.post("/accounts/2fa/setup/", {"enrolment_code": code})
    EnrolmentCode.objects.filter(user=caseworker).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not _enrol_with_the_app(client, caseworker)


def test_wrong_codes_are_throttled_five_void_the_code(caseworker, audit_actions):
    code = issue_enrolment_code(caseworker)
    client = Client()
    _log_in(client, caseworker)
    for _ in range(services.ENROLMENT_CODE_MAX_FAILURES):
        assert client.post("/accounts/2fa/setup/", {"enrolment_code": "aaaa-bbbb-cccc"}).status_code == 200
    response = client.post("/accounts/2fa/setup/", {"enrolment_code": code})  # the right one, too late
    assert response.status_code == 200 and "ask a coordinator" in response.content.decode()
    assert not _shows_a_key(client.get("/accounts/2fa/setup/"))
    assert audit_actions("accounts.2fa.enrolment_code_failed") == ["accounts.2fa.enrolment_code_failed"] * 6


def test_a_new_code_replaces_the_old_one_and_any_key_shown_with_it(caseworker):
    old = issue_enrolment_code(caseworker)
    client = Client()
    _log_in(client, caseworker)
    client.post("/accounts/2fa/setup/", {"enrolment_code": old})
    assert _shows_a_key(client.get("/accounts/2fa/setup/"))
    new = issue_enrolment_code(caseworker)
    assert not AuthenticatorDevice.objects.filter(user=caseworker).exists()
    assert not _shows_a_key(client.get("/accounts/2fa/setup/"))
    assert client.post("/accounts/2fa/setup/", {"enrolment_code": old}).status_code == 200
    assert client.post("/accounts/2fa/setup/", {"enrolment_code": new}).status_code == 302


def test_the_services_refuse_to_make_or_confirm_a_key_without_a_redeemed_code(caseworker):
    issue_enrolment_code(caseworker)
    with pytest.raises(services.AccountsError):
        services.totp_device_for_enrolment(user=caseworker, enrolment_code_id=None)
    device = AuthenticatorDevice.objects.create(user=caseworker, name="phone", confirmed=False)
    row = EnrolmentCode.objects.get(user=caseworker)
    with pytest.raises(services.AccountsError):
        services.second_factor_enrol(user=caseworker, device=device, code=current_code(device),
                                     enrolment_code_id=row.pk)  # issued, never typed in
    assert not AuthenticatorDevice.objects.filter(user=caseworker, confirmed=True).exists()


def test_a_coordinator_issues_a_new_code_for_an_account_without_an_authenticator(client, coordinator, caseworker,
                                                                                 audit_actions):
    login_verified(client, coordinator)
    detail = client.get(f"/accounts/users/{caseworker.pk}/").content.decode()
    assert f"/accounts/users/{caseworker.pk}/enrolment-code/" in detail
    response = client.post(f"/accounts/users/{caseworker.pk}/enrolment-code/")
    assert response.status_code == 200 and CODE_SHAPE.search(response.content.decode())
    assert "accounts.2fa.enrolment_code_issued" in audit_actions()
    services.totp_device_enrol_confirmed(user=caseworker)  # enrolled: a reset is the way, not a code
    refused = client.post(f"/accounts/users/{caseworker.pk}/enrolment-code/")
    assert refused.status_code == 302
    assert not EnrolmentCode.objects.filter(user=caseworker).exists()


@pytest.mark.parametrize("role_user", ["caseworker", "reviewer", "finance", "donor", "partner", "host", "outsider"])
def test_only_coordinators_issue_codes(client, request, role_user, reviewer):
    login_verified(client, request.getfixturevalue(role_user))
    assert client.post(f"/accounts/users/{reviewer.pk}/enrolment-code/").status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.enrolment_code_issue(user=reviewer, by=request.getfixturevalue(role_user))
    assert not EnrolmentCode.objects.filter(user=reviewer).exists()


def test_user_create_and_the_admin_give_the_new_account_a_code_shown_once(client, coordinator):
    user, code = services.user_create(username="newbie", password=None, by=coordinator)
    assert EnrolmentCode.objects.get(user=user).digest != code

    login_verified(client, coordinator)
    response = client.post("/admin/accounts/user/add/", {
        "username": "added-in-admin", "password1": "violet kettle over the river 9",
        "password2": "violet kettle over the river 9", "usable_password": "true",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<code>[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}</code>", html)
    assert EnrolmentCode.objects.filter(user__username="added-in-admin").exists()


def test_the_admin_reset_action_shows_each_new_code(client, coordinator, caseworker):
    services.totp_device_enrol_confirmed(user=caseworker)
    login_verified(client, coordinator)
    response = client.post("/admin/accounts/user/", {"action": "reset_second_factor",
                                                     "_selected_action": [caseworker.pk]})
    assert response.status_code == 200
    assert re.search(r"<code>[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}</code>", response.content.decode())
    assert EnrolmentCode.objects.filter(user=caseworker).exists()


def test_the_command_issues_a_code_for_the_first_coordinator(capsys):
    from tests.helpers import make_user

    user = make_user("first-admin", Role.COORDINATOR, is_staff=True, is_superuser=True)
    call_command("enrolment_code", user.username)
    printed = capsys.readouterr().out
    assert re.match(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}\n", printed)
    assert EnrolmentCode.objects.filter(user=user).exists()
