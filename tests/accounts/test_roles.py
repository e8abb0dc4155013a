"""Role sets named once per capability: the menu offers a page to exactly the roles it lets in."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from protect.accounts.roles import (
    ASSIGNABLE,
    CASE_HANDLERS,
    CASE_STAFF,
    DASHBOARD_READERS,
    DECIDERS,
    INTAKE,
    PAYERS,
    Role,
)
from protect.core.context_processors import MENU

# Menu pages outside role_required: the account page admits every account holder (login_required);
# Django's admin admits staff accounts, which only coordinators hold (permission matrix, ADMIN).
OUTSIDE_ROLE_REQUIRED = {"accounts:account": set(Role), "admin:accounts_team_changelist": {Role.COORDINATOR}}


@pytest.mark.parametrize(("roles", "label", "route"), MENU, ids=[route for _roles, _label, route in MENU])
def test_each_menu_link_is_shown_to_exactly_the_roles_its_page_admits(roles, label, route):
    if route in OUTSIDE_ROLE_REQUIRED:
        assert set(roles) == OUTSIDE_ROLE_REQUIRED[route]
        return
    view = resolve(reverse(route)).func
    assert set(roles) == set(view.required_roles)


def test_the_coordinator_holds_every_staff_capability_and_donors_and_hosts_none():
    for capability in (CASE_STAFF, CASE_HANDLERS, INTAKE, DECIDERS, PAYERS, DASHBOARD_READERS):
        assert Role.COORDINATOR in capability
    for capability in (CASE_STAFF, CASE_HANDLERS, INTAKE, DECIDERS, PAYERS, ASSIGNABLE):
        assert not capability & {Role.DONOR, Role.HOST, Role.PARTNER}
    # The capabilities nest: whoever may take a request in or decide may also open its case.
    assert INTAKE <= CASE_HANDLERS <= CASE_STAFF and DECIDERS <= CASE_HANDLERS and PAYERS <= CASE_STAFF
