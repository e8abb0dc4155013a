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


@pytest.mark.parametrize(("roles", "label", "route"), MENU, ids=[route for _roles, _label, route in MENU])
def test_each_menu_link_is_shown_to_exactly_the_roles_its_page_admits(roles, label, route):
    view = resolve(reverse(route)).func
    assert set(roles) == set(view.required_roles)


def test_the_coordinator_holds_every_staff_capability_and_donors_and_hosts_none():
    for capability in (CASE_STAFF, CASE_HANDLERS, INTAKE, DECIDERS, PAYERS, DASHBOARD_READERS):
        assert Role.COORDINATOR in capability
    for capability in (CASE_STAFF, CASE_HANDLERS, INTAKE, DECIDERS, PAYERS, ASSIGNABLE):
        assert not capability & {Role.DONOR, Role.HOST, Role.PARTNER}
    # The capabilities nest: whoever may take a request in or decide may also open its case.
    assert INTAKE <= CASE_HANDLERS <= CASE_STAFF and DECIDERS <= CASE_HANDLERS and PAYERS <= CASE_STAFF
