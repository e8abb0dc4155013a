"""The account pages render for the right people, in a bounded number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protect.accounts.roles import Role
from tests.helpers import login_verified, make_user


@pytest.mark.django_db
def test_the_accounts_list_takes_the_same_number_of_queries_for_3_or_13_accounts(client, coordinator):
    login_verified(client, coordinator)
    for i in range(2):
        make_user(f"user{i}", Role.CASEWORKER)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/accounts/users/").status_code == 200
    for i in range(2, 12):
        make_user(f"user{i}", Role.CASEWORKER)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/accounts/users/")
    assert "user11" in response.content.decode()
    # session, user, OTP device, roles, accounts + 2FA state, their roles, their teams, session save
    assert len(many) == len(few) <= 12


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/users/", "USER"])
def test_coordinator_pages_are_refused_to_other_roles(client, caseworker, path):
    path = f"/accounts/users/{caseworker.pk}/" if path == "USER" else path
    login_verified(client, caseworker)
    assert client.get(path).status_code == 403


@pytest.mark.django_db
def test_the_account_page_shows_roles_and_recovery_codes_left(client, caseworker):
    from protect.accounts import services

    services.totp_device_enrol_confirmed(user=caseworker)
    login_verified(client, caseworker)
    html = client.get("/accounts/").content.decode()
    assert "caseworker" in html and "<td>10</td>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/accounts/user/", "/admin/accounts/user/ID/change/", "/admin/accounts/team/",
                                  "/admin/accounts/team/add/", "/admin/accounts/apitoken/"])
def test_the_admin_pages_for_accounts_render(client, coordinator, path):
    login_verified(client, coordinator)
    assert client.get(path.replace("ID", str(coordinator.pk))).status_code == 200


@pytest.mark.django_db
def test_otp_devices_cannot_be_edited_in_the_admin(client, coordinator):
    login_verified(client, coordinator)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
    assert client.get("/admin/accounts/authenticatordevice/").status_code == 404
    assert client.get("/admin/accounts/recoverycodedevice/").status_code == 404
