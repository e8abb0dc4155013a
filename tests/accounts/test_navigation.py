"""Navigation (issue 9, item 12): each role lands on its own page after logging in, the menu links
the account pages (and users and teams for coordinators), a skip link comes first, and /admin/
without admin rights is a clear 403."""

from __future__ import annotations

import re

import pytest

from protect.accounts import services
from protect.accounts.landing import landing_url
from tests.helpers import PASSWORD, current_code, login_verified

pytestmark = pytest.mark.django_db

LANDINGS = [
    ("caseworker", "/cases/"), ("reviewer", "/cases/review/"), ("approver", "/cases/review/"),
    ("finance", "/cases/payments/"), ("coordinator", "/cases/"), ("donor", "/dashboard/"),
    ("partner", "/accounts/"), ("host", "/host/"), ("outsider", "/accounts/"),
]


@pytest.mark.parametrize(("role", "page"), LANDINGS)
def test_each_role_lands_on_its_own_page_after_the_second_factor(client, request, role, page):
    user = request.getfixturevalue(role)
    device, _codes = services.totp_device_enrol_confirmed(user=user)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    response = client.post("/accounts/2fa/verify/", {"code": current_code(device)})
    assert response.status_code == 302 and response["Location"] == page
    assert client.get(page).status_code == 200


def test_the_page_asked_for_still_wins_over_the_landing_page(client, finance):
    device, _codes = services.totp_device_enrol_confirmed(user=finance)
    client.post("/accounts/login/", {"username": finance.username, "password": PASSWORD})
    response = client.post("/accounts/2fa/verify/", {"code": current_code(device), "next": "/cases/"})
    assert response["Location"] == "/cases/"


def test_a_host_lands_on_its_account_page_when_the_host_pages_are_not_installed(host, monkeypatch):
    from protect.accounts import landing

    monkeypatch.setattr(landing, "_exists", lambda path: False)
    assert landing_url(host) == "/accounts/"


def _menu(page: str) -> list[str]:
    nav = page.split('<nav>', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', nav)


@pytest.mark.parametrize("role", ["caseworker", "reviewer", "finance", "donor", "partner", "host"])
def test_the_menu_links_the_account_page_for_every_role(client, request, role):
    login_verified(client, request.getfixturevalue(role))
    menu = _menu(client.get("/accounts/").content.decode())
    assert "/accounts/" in menu and "/accounts/users/" not in menu


def test_a_coordinator_has_users_and_teams_in_the_menu(client, coordinator):
    login_verified(client, coordinator)
    menu = _menu(client.get("/accounts/").content.decode())
    assert {"/accounts/", "/accounts/users/", "/admin/accounts/team/"} <= set(menu)
    assert client.get("/admin/accounts/team/").status_code == 200


def test_the_skip_link_is_the_first_thing_on_every_page(client, caseworker):
    for page in (client.get("/").content.decode(), client.get("/accounts/login/").content.decode()):
        body = page.split("<body>", 1)[1].lstrip()
        assert body.startswith('<a class="skip-link" href="#content">Skip to content</a>'), body[:200]
    login_verified(client, caseworker)
    page = client.get("/cases/").content.decode()
    assert page.split("<body>", 1)[1].lstrip().startswith('<a class="skip-link"') and 'id="content"' in page


@pytest.mark.parametrize("role", ["caseworker", "reviewer", "finance", "donor", "partner", "host"])
def test_admin_without_admin_rights_is_a_clear_403(client, request, role):
    login_verified(client, request.getfixturevalue(role))
    for path in ("/admin/", "/admin/grants/grant/", "/admin/login/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "no administration rights" in response.content.decode()


def test_admin_sends_a_visitor_to_log_in_and_lets_a_coordinator_in(client, coordinator):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    login_verified(client, coordinator)
    assert client.get("/admin/").status_code == 200
