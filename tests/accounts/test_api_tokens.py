"""Partner API tokens: shown once, stored as a hash, accepted only while valid, same refusal for
every kind of invalid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from protect.accounts import services
from protect.accounts.authentication import ApiTokenAuthentication
from protect.accounts.models import ApiToken
from protect.accounts.permissions import HasRole
from protect.accounts.roles import Role
from protect.core.errors import PermissionDenied


class ReferralsProbe(APIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasRole.of(Role.PARTNER)]

    def get(self, request):
        return Response({"user": request.user.username, "token": request.auth.prefix})


def _call(raw: str | None, *, scheme: str = "Bearer"):
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {raw}"} if raw is not None else {}
    return ReferralsProbe.as_view()(APIRequestFactory().get("/api/probe/", **headers))


@pytest.fixture
def issued(coordinator, partner):
    return services.api_token_issue(user=partner, name="case referrals", by=coordinator, scopes=["referrals:read"],
                                    expires_at=timezone.now() + timedelta(days=30))


@pytest.mark.django_db
def test_a_valid_token_authenticates_its_partner_and_records_use(issued, partner):
    token, raw = issued
    response = _call(raw)
    assert response.status_code == 200
    assert response.data == {"user": partner.username, "token": token.prefix}
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_token_is_found_after_a_rollback_and_on_a_new_connection(coordinator, partner):
    """The look-up is prepared once per database session (on PostgreSQL): it must outlive a rolled
    back transaction, and be prepared again when the session is a new one."""
    _token, raw = services.api_token_issue(user=partner, name="sessions", by=coordinator, scopes=["referrals:read"])
    assert _call(raw).status_code == 200
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _call(raw).status_code == 200
        raise RuntimeError("roll back")
    assert _call(raw).status_code == 200
    connection.close()
    assert _call(raw).status_code == 200
    assert _call(raw).status_code == 200


@pytest.mark.django_db
def test_the_raw_token_is_stored_nowhere(issued):
    token, raw = issued
    assert raw.startswith(f"pt_{token.prefix}_")
    assert token.token_hash == services.api_token_hash(raw) and len(token.token_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT data::text FROM audit_auditevent")
        audit = cursor.fetchall()
    secret_part = raw.split("_", 2)[2]
    assert all(secret_part not in str(row) for row in rows + audit)


@pytest.mark.django_db
def test_revoked_tokens_are_refused(issued, coordinator, audit_actions):
    token, raw = issued
    services.api_token_revoke(token=token, by=coordinator)
    response = _call(raw)
    assert response.status_code == 401
    assert response.data["detail"] == "Invalid token."
    assert audit_actions("accounts.api_token") == ["accounts.api_token.issued", "accounts.api_token.revoked"]


@pytest.mark.django_db
def test_expired_tokens_are_refused(issued):
    token, raw = issued
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _call(raw).status_code == 401


@pytest.mark.django_db
def test_tokens_of_a_disabled_account_are_refused_even_if_not_revoked(issued, partner):
    _token, raw = issued
    type(partner).objects.filter(pk=partner.pk).update(is_active=False)
    assert _call(raw).status_code == 401


@pytest.mark.django_db
def test_a_token_stops_working_when_the_account_loses_the_partner_role(issued, partner):
    _token, raw = issued
    partner.groups.clear()
    assert _call(raw).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["", "pt_deadbeef_nope", "not-a-token", "pt__x", "pt_a_b c"])
def test_unknown_or_malformed_tokens_get_the_same_refusal(issued, raw):
    response = _call(raw)
    assert response.status_code == 401
    assert response.data["detail"] == "Invalid token."


@pytest.mark.django_db
def test_a_tampered_token_with_a_real_prefix_is_refused(issued):
    _token, raw = issued
    assert _call(raw[:-1] + ("A" if raw[-1] != "A" else "B")).status_code == 401


@pytest.mark.django_db
def test_without_a_token_the_partner_api_answers_401(issued):
    assert _call(None).status_code in (401, 403)


@pytest.mark.django_db
def test_tokens_are_only_for_partner_accounts_and_only_coordinators_issue_them(coordinator, caseworker, partner):
    with pytest.raises(services.AccountsError):
        services.api_token_issue(user=caseworker, name="x", by=coordinator, scopes=["referrals:read"])
    with pytest.raises(services.AccountsError):
        services.api_token_issue(user=coordinator, name="x", by=coordinator, scopes=["referrals:read"])
    with pytest.raises(PermissionDenied):
        services.api_token_issue(user=partner, name="x", by=caseworker, scopes=["referrals:read"])


@pytest.mark.django_db
def test_the_token_is_in_the_default_drf_authentication(settings):
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert "protect.accounts.authentication.ApiTokenAuthentication" in classes
    assert "rest_framework.authentication.SessionAuthentication" in classes


@pytest.mark.django_db
def test_a_coordinator_issues_a_token_on_the_account_page_and_sees_it_once(client, coordinator, partner):
    from tests.helpers import login_verified

    login_verified(client, coordinator)
    response = client.post(f"/accounts/users/{partner.pk}/tokens/", {
        "name": "referrals", "expires_in_days": 90, "scopes": ["referrals:read", "referrals:write"]})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=partner)
    assert token.scopes == ["referrals:read", "referrals:write"]
    html = response.content.decode()
    raw = html.split(f"pt_{token.prefix}_", 1)[1].split("<", 1)[0]
    assert token.token_hash == services.api_token_hash(f"pt_{token.prefix}_{raw}")
    assert f"pt_{token.prefix}_{raw}" not in client.get(f"/accounts/users/{partner.pk}/").content.decode()


@pytest.mark.django_db
def test_a_token_without_a_scope_is_refused_and_nothing_is_issued(client, coordinator, partner):
    from tests.helpers import login_verified

    login_verified(client, coordinator)
    response = client.post(f"/accounts/users/{partner.pk}/tokens/", {"name": "referrals", "expires_in_days": 90})
    assert response.status_code == 302 and not ApiToken.objects.filter(user=partner).exists()


@pytest.mark.django_db
def test_a_coordinator_adds_a_partner_organisation_and_lands_on_its_account(client, coordinator):
    from protect.accounts.models import PartnerOrganisation
    from tests.helpers import login_verified

    login_verified(client, coordinator)
    response = client.post("/accounts/partners/", {"name": "  Helpline   Sur "})
    organisation = PartnerOrganisation.objects.get()
    assert organisation.name == "Helpline Sur" and organisation.account.has_role("partner")
    assert response.status_code == 302 and response["Location"] == f"/accounts/users/{organisation.account_id}/"
    client.post("/accounts/partners/", {"name": "helpline sur"})
    assert PartnerOrganisation.objects.count() == 1  # the same organisation, asked twice
    assert "Helpline Sur" in client.get("/accounts/partners/").content.decode()


@pytest.mark.django_db
def test_the_console_command_prints_a_token_once_that_the_api_accepts(db):
    import io

    from django.core.management import call_command
    from rest_framework.test import APIClient

    out = io.StringIO()
    call_command("partner_token", "create", "--organisation", "Helpline Sur", "--scope", "referrals:read",
                 "--expires-days", "30", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.scopes == ["referrals:read"] and token.expires_at is not None
    assert raw not in str(list(ApiToken.objects.values()))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/referrals/").status_code == 200
