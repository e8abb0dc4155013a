"""Template context for every page: the menu of the pages the user's roles use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from protect.accounts.permissions import has_any_role, is_second_factor_verified
from protect.accounts.roles import CASE_HANDLERS, CASE_STAFF, DASHBOARD_READERS, DECIDERS, INTAKE, PAYERS, Role

# (roles that see the link, label, URL name): the same named sets as the pages' role_required.
# Route names only: the core imports no case app.
MENU = [
    (CASE_STAFF, N_("Cases"), "grants:queue"),
    (DECIDERS, N_("To review"), "grants:review-inbox"),
    (PAYERS, N_("To pay"), "grants:payments"),
    (INTAKE, N_("New request"), "grants:hotline-new"),
    (INTAKE, N_("Relocations"), "relocation:board"),
    (frozenset({Role.COORDINATOR}), N_("Hosts"), "relocation:hosts"),
    (frozenset({Role.HOST}), N_("Host portal"), "relocation-host:portal"),
    (CASE_HANDLERS, N_("Alert desk"), "alerts:desk"),
    (DASHBOARD_READERS, N_("Dashboard"), "dashboards:donor"),
    (frozenset({Role.COORDINATOR}), N_("Audit log"), "audit:log"),
    (frozenset({Role.COORDINATOR}), N_("Users"), "accounts:users"),
    (frozenset({Role.COORDINATOR}), N_("Teams"), "admin:accounts_team_changelist"),
    (frozenset(Role), N_("Your account"), "accounts:account"),
]


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_second_factor_verified(user):
        return {"staff_nav": [], "show_search": False}
    return {"staff_nav": [(_(label), reverse(name)) for roles, label, name in MENU if has_any_role(user, roles)],
            "show_search": has_any_role(user, CASE_STAFF)}
