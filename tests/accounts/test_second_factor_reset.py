"""A coordinator resets a colleague's second factor (lost phone): devices gone, sessions ended,
enrolment again at the next login. Nobody else may, and not on their own account."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from protect.accounts import services
from protect.accounts.models import AuthenticatorDevice, RecoveryCodeDevice
from protect.core.errors import PermissionDenied
from tests.helpers import PASSWORD, login_verified


@pytest.mark.django_db
def test_a_coordinator_reset_removes_devices_ends_sessions_and_forces_enrolment(client, coordinator, caseworker,
                                                                                audit_actions):
    services.totp_device_enrol_confirmed(user=caseworker)
    colleague = Client()
    login_verified(colleague, caseworker)
    assert colleague.get("/accounts/").status_code == 200

    login_verified(client, coordinator)
    page = client.get(f"/accounts/2fa/reset/{caseworker.pk}/")
    assert page.status_code == 200
    response = client.post(f"/accounts/2fa/reset/{caseworker.pk}/", {"reason": "Phone stolen at a checkpoint"})
    assert response.status_code == 200 and "Enrolment code" in response.content.decode()  # shown once, to hand over

    assert not AuthenticatorDevice.objects.filter(user=caseworker).exists()
    assert not RecoveryCodeDevice.objects.filter(user=caseworker).exists()
    assert colleague.get("/accounts/")["Location"].startswith("/accounts/login/")  # session ended
    login = colleague.post("/accounts/login/", {"username": caseworker.username, "password": PASSWORD})
    assert login["Location"] == "/accounts/2fa/setup/"

    from protect.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="accounts.2fa.reset")
    assert event.actor_id == coordinator.pk and event.target_id == str(caseworker.pk)
    assert event.data["reason"] == "Phone stolen at a checkpoint"
    assert event.data["sessions_ended"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role_user", ["caseworker", "reviewer", "finance", "donor", "partner", "host", "outsider"])
def test_the_reset_page_is_refused_to_everyone_but_coordinators(client, request, role_user, coordinator):
    user = request.getfixturevalue(role_user)
    services.totp_device_enrol_confirmed(user=coordinator)
    login_verified(client, user)
    assert client.get(f"/accounts/2fa/reset/{coordinator.pk}/").status_code == 403
    assert client.post(f"/accounts/2fa/reset/{coordinator.pk}/", {"reason": "x"}).status_code == 403
    assert AuthenticatorDevice.objects.filter(user=coordinator).exists()


@pytest.mark.django_db
def test_the_reset_service_refuses_non_coordinators_and_self_reset(caseworker, coordinator):
    with pytest.raises(PermissionDenied):
        services.second_factor_reset(user=coordinator, by=caseworker, reason="x")
    with pytest.raises(services.AccountsError):
        services.second_factor_reset(user=coordinator, by=coordinator, reason="x")


@pytest.mark.django_db
def test_a_reset_needs_a_reason(client, coordinator, caseworker):
    services.totp_device_enrol_confirmed(user=caseworker)
    login_verified(client, coordinator)
    response = client.post(f"/accounts/2fa/reset/{caseworker.pk}/", {"reason": "   "})
    assert response.status_code == 200
    assert AuthenticatorDevice.objects.filter(user=caseworker).exists()


@pytest.mark.django_db
def test_the_admin_action_resets_through_the_audited_service(client, coordinator, caseworker, audit_actions):
    services.totp_device_enrol_confirmed(user=caseworker)
    login_verified(client, coordinator)
    response = client.post("/admin/accounts/user/", {"action": "reset_second_factor",
                                                     "_selected_action": [caseworker.pk]})
    assert response.status_code == 200  # the page with the new enrolment code
    assert not AuthenticatorDevice.objects.filter(user=caseworker).exists()
    assert "accounts.2fa.reset" in audit_actions()
    assert Session.objects.count() == 1  # only the coordinator's own
