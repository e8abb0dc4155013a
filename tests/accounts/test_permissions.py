"""Role checks: groups named by the Role enum, never labels; anonymous → login, wrong role → 403."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from protect.accounts.permissions import HasRole, has_any_role, has_role, is_coordinator, role_required
from protect.accounts.roles import Role
from protect.audit.selectors import audit_events_visible_to
from protect.audit.services import log_event
from protect.defenders.selectors import defenders_visible_to
from protect.defenders.services import defender_create

ROOT = Path(__file__).resolve().parents[2]
ROLES_OTHER_THAN_COORDINATOR = [role for role in Role if role != Role.COORDINATOR]


@role_required(Role.FINANCE, Role.COORDINATOR)
def payments(request):
    return HttpResponse("ok")


def _verified(user):
    user.is_verified = lambda: True
    return user


@pytest.mark.django_db
def test_has_role_follows_group_names(caseworker, coordinator, outsider):
    assert has_role(caseworker, Role.CASEWORKER) and has_role(caseworker, "caseworker")
    assert not has_role(caseworker, Role.COORDINATOR)
    assert is_coordinator(coordinator) and not is_coordinator(outsider)
    assert not has_role(AnonymousUser(), Role.CASEWORKER)
    assert not has_role(None, Role.CASEWORKER)


@pytest.mark.django_db
def test_a_disabled_account_holds_no_role(caseworker):
    caseworker.is_active = False
    assert not has_role(caseworker, Role.CASEWORKER)


@pytest.mark.django_db
def test_an_active_superuser_is_a_coordinator_and_nothing_more_everywhere(outsider, coordinator):
    """One definition (User.role_names): every check (the role checks, the defender and audit
    selectors, the workflow's role sets) gives a superuser the coordinator's answer."""
    outsider.is_superuser = True
    outsider.save(update_fields=["is_superuser"])
    defender = defender_create(by=coordinator, pseudonym="P", legal_name="Name", country="BD")
    log_event("tests.superuser.seen", actor=coordinator, target=defender)
    assert outsider.role_names() == {Role.COORDINATOR}
    assert is_coordinator(outsider) and has_role(outsider, Role.COORDINATOR)
    assert not has_any_role(outsider, ROLES_OTHER_THAN_COORDINATOR)
    assert list(defenders_visible_to(outsider)) == [defender]
    assert audit_events_visible_to(outsider).exists()


@pytest.mark.django_db
def test_a_disabled_superuser_is_no_coordinator(outsider):
    outsider.is_superuser = True
    outsider.is_active = False
    assert not is_coordinator(outsider)
    assert not defenders_visible_to(outsider).exists()
    assert not audit_events_visible_to(outsider).exists()


def test_only_user_role_names_reads_the_superuser_flag_for_a_role():
    """A second definition of who is a coordinator would drift: no other module may consult
    is_superuser to decide what a user may see or do."""
    allowed = {
        "protect/accounts/models.py",  # User.role_names: the definition
        "protect/core/demo.py",  # makes the demo coordinator a superuser (for the admin)
        "protect/accounts/services.py",  # api_token_allowed_for refuses admins a token: not a role check
    }
    readers = {
        str(path.relative_to(ROOT))
        for folder in ("protect", "grants", "relocation", "alerts")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and "is_superuser" in path.read_text()
    }
    assert readers <= allowed, sorted(readers - allowed)


@pytest.mark.django_db
def test_role_required_sends_anonymous_visitors_to_login():
    request = RequestFactory().get("/payments/")
    request.user = AnonymousUser()
    response = payments(request)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/payments/"


@pytest.mark.django_db
def test_role_required_answers_403_to_the_wrong_role_and_lets_the_right_ones_in(caseworker, finance, coordinator):
    request = RequestFactory().get("/payments/")
    request.user = _verified(caseworker)
    with pytest.raises(PermissionDenied):
        payments(request)
    for user in (finance, coordinator):
        request.user = _verified(user)
        assert payments(request).status_code == 200


@pytest.mark.django_db
def test_role_required_refuses_a_session_without_the_second_factor(finance):
    request = RequestFactory().get("/payments/")
    finance.is_verified = lambda: False
    request.user = finance
    response = payments(request)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")


class Probe(APIView):
    required_roles: tuple[Role, ...] = ()

    def get(self, request):
        return HttpResponse("ok")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view_kwargs", "user_fixture", "status"),
    [
        ({"permission_classes": [HasRole], "required_roles": (Role.PARTNER,)}, "partner", 200),
        ({"permission_classes": [HasRole], "required_roles": (Role.PARTNER,)}, "caseworker", 403),
        ({"permission_classes": [HasRole.of(Role.DONOR, Role.COORDINATOR)]}, "donor", 200),
        ({"permission_classes": [HasRole.of(Role.DONOR)]}, "partner", 403),
        ({"permission_classes": [HasRole]}, "coordinator", 403),  # no role configured: closed to all
    ],
)
def test_has_role_permission_is_configured_per_view(request, view_kwargs, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    api_request = APIRequestFactory().get("/api/probe/")
    force_authenticate(api_request, user=user)
    assert Probe.as_view(**view_kwargs)(api_request).status_code == status
