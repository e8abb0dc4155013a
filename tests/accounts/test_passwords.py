"""Passwords are checked against the common-password list and the other validators wherever they
are set; changing one ends the other sessions."""

from __future__ import annotations

import pytest
from django.test import Client

from protect.accounts import services
from protect.accounts.roles import Role
from protect.core.errors import InvalidInput
from tests.helpers import PASSWORD, login_verified


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["qwerty123456", "short-pw", "387429873498723"])
def test_the_password_page_refuses_common_short_and_numeric_passwords(client, caseworker, weak):
    login_verified(client, caseworker)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": weak,
                                                   "new_password2": weak})
    assert response.status_code == 200
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_good_new_password_is_set_audited_and_ends_the_other_sessions(client, caseworker, audit_actions):
    other = Client()
    login_verified(other, caseworker)
    login_verified(client, caseworker)
    new = "violet kettle over the river 9"
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new,
                                                   "new_password2": new})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.check_password(new)
    assert client.get("/accounts/").status_code == 200  # this session stays
    assert other.get("/accounts/")["Location"].startswith("/accounts/login/")  # the other one ends
    assert "accounts.password.changed" in audit_actions()


@pytest.mark.django_db
def test_creating_an_account_checks_the_password_too(coordinator):
    with pytest.raises(InvalidInput):
        services.user_create(username="newbie", password="qwerty123456", roles=[Role.CASEWORKER], by=coordinator)
    user, _enrolment_code = services.user_create(username="newbie", password="violet kettle over the river 9",
                                                 roles=[Role.CASEWORKER], by=coordinator)
    assert user.has_role(Role.CASEWORKER)
