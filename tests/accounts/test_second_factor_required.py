"""An account holder who gave only the password reaches no page behind login until the second
factor is passed; public pages and the way out stay open."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from protect.accounts.middleware import SecondFactorRequiredMiddleware, second_factor_exempt
from tests.helpers import enrol_totp, login_verified

STAFF_PAGES = ["/admin/", "/admin/accounts/user/", "/accounts/", "/accounts/users/", "/accounts/password/",
               "/accounts/2fa/recovery-codes/", "/audit/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [*STAFF_PAGES, "RESET"])
def test_a_user_without_an_authenticator_is_sent_to_enrolment_from_every_staff_page(client, coordinator, caseworker,
                                                                                   path):
    path = f"/accounts/2fa/reset/{caseworker.pk}/" if path == "RESET" else path
    client.force_login(coordinator)  # password only
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/")


@pytest.mark.django_db
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_user_with_an_authenticator_is_sent_to_verification_keeping_the_page_asked_for(client, coordinator, path):
    enrol_totp(coordinator)
    client.force_login(coordinator)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/?next=")
    assert path.rstrip("/") in response["Location"].replace("%2F", "/")


@pytest.mark.django_db
def test_a_post_to_a_staff_page_is_refused_before_the_second_factor(client, coordinator, caseworker):
    client.force_login(coordinator)
    response = client.post(f"/accounts/users/{caseworker.pk}/disable/", {"reason": "test"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.is_active


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/request/", "/accounts/2fa/setup/", "/accounts/login/"])
def test_public_pages_and_the_enrolment_page_stay_open_before_the_second_factor(client, caseworker, path):
    client.force_login(caseworker)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_logging_out_works_before_the_second_factor(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/", "/accounts/users/", "/accounts/2fa/setup/", "/accounts/2fa/verify/"])
def test_anonymous_visitors_are_asked_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_the_admin_has_no_login_page_of_its_own(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


@pytest.mark.django_db
def test_a_verified_coordinator_reaches_the_admin(client, coordinator):
    login_verified(client, coordinator)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_admin_itself_refuses_an_unverified_session_even_without_the_middleware(rf, coordinator):
    from django.contrib import admin
    from django_otp.middleware import OTPMiddleware

    request = rf.get("/admin/")
    request.user = coordinator
    request.session = {}
    OTPMiddleware(lambda r: HttpResponse())._install_lazy_accessors(request)
    assert admin.site.has_permission(request) is False


@pytest.mark.django_db
def test_an_unverified_session_calling_the_api_gets_a_403_not_a_redirect(caseworker):
    request = RequestFactory().get("/api/referrals/")
    request.user = caseworker
    caseworker.is_verified = lambda: False
    response = SecondFactorRequiredMiddleware(lambda r: HttpResponse()).process_view(
        request, lambda r: HttpResponse(), (), {})
    assert response is not None and response.status_code == 403


@pytest.mark.django_db
def test_only_views_marked_exempt_open_before_the_second_factor(caseworker):
    middleware = SecondFactorRequiredMiddleware(lambda r: HttpResponse())
    request = RequestFactory().get("/somewhere/new/")
    request.user = caseworker
    caseworker.is_verified = lambda: False

    def new_view(request):
        return HttpResponse()

    assert middleware.process_view(request, new_view, (), {}).status_code == 302  # default deny
    assert middleware.process_view(request, second_factor_exempt(new_view), (), {}) is None


def _concrete_paths(patterns=None, prefix=""):
    """One concrete path per route of the project (admin's regex routes are covered above)."""
    import re
    import uuid

    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    samples = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.uuid4()), "path": "x"}
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1) or "str", "x"), str(entry.pattern))
        if isinstance(entry, URLResolver):
            yield from _concrete_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


@pytest.mark.django_db
def test_every_route_not_marked_exempt_or_public_is_closed_before_the_second_factor(client, caseworker):
    from django.urls import resolve

    from protect.accounts.middleware import is_public_path

    client.force_login(caseworker)
    checked = 0
    for path in sorted(set(_concrete_paths())):
        view = resolve(path).func
        if getattr(view, "second_factor_exempt", False) or is_public_path(path):
            continue
        response = client.get(path)
        expected = 403 if path.startswith("/api/") else 302
        assert response.status_code == expected, path
        if expected == 302:
            assert response["Location"].startswith("/accounts/2fa/setup/"), path
        checked += 1
    assert checked >= 8
