"""Bad input and refused callers: a clear problem document, and nothing changed."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from grants.models import Grant
from protect.accounts.models import ApiScope
from protect.accounts.services import api_token_revoke
from tests.api.conftest import Partner, grant_body

pytestmark = pytest.mark.django_db


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    assert "Traceback" not in response.content.decode() and "File \"" not in response.content.decode()
    return body


def test_malformed_json_is_a_400(helpline):
    response = helpline.client.post("/api/v1/referrals/", data="{not json", content_type="application/json",
                                    HTTP_IDEMPOTENCY_KEY="k")
    _problem(response, 400)
    assert Grant.objects.count() == 0


def test_wrong_types_are_a_400_naming_each_field(helpline):
    body = grant_body()
    body["grant"]["needs"] = "legal"
    body["grant"]["amount_requested"] = 2500
    body["urgency"] = "very"
    errors = _problem(helpline.post("/api/v1/referrals/", body), 400)["errors"]
    assert {"grant.needs", "grant.amount_requested", "urgency"} <= set(errors)
    assert Grant.objects.count() == 0


def test_unknown_fields_are_a_400_not_silently_dropped(helpline):
    body = grant_body()
    body["defender"]["legal_nmae"] = "typo"
    body["extra"] = 1
    errors = _problem(helpline.post("/api/v1/referrals/", body), 400)["errors"]
    assert errors["defender.legal_nmae"] == ["Unknown field."] and errors["extra"] == ["Unknown field."]


def test_a_body_over_the_cap_is_a_413_before_it_is_read(helpline):
    body = grant_body()
    body["grant"]["incident"] = "x" * 70_000
    _problem(helpline.post("/api/v1/referrals/", body), 413)
    assert Grant.objects.count() == 0


def test_a_rule_of_the_domain_is_a_422_beside_its_field(helpline):
    body = grant_body()
    body["grant"]["incident"] = ""
    problem = _problem(helpline.post("/api/v1/referrals/", body), 422)
    assert problem["errors"] == {"incident": ["Tell us what happened or what the threat is now: at least one."]}
    body = grant_body()
    body["grant"]["currency"] = "XXX"
    assert "currency" in _problem(helpline.post("/api/v1/referrals/", body), 422)["errors"]
    assert Grant.objects.count() == 0


def test_a_grant_referral_with_relocation_fields_is_refused(helpline):
    body = grant_body()
    body["relocation"] = {"risk": "x", "why_relocation": "y"}
    assert "relocation" in _problem(helpline.post("/api/v1/referrals/", body), 400)["errors"]


def test_no_token_or_a_bad_one_is_a_401(helpline):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    assert _problem(anonymous.get("/api/v1/referrals/"), 401)
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer pt_nothing_here")
    response = anonymous.get("/api/v1/referrals/")
    _problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_may_do_only_what_its_scopes_allow(db, americas_caseworker):
    reader = Partner("Reader only", scopes=[ApiScope.REFERRALS_READ])
    _problem(reader.post("/api/v1/referrals/", grant_body()), 403)
    assert reader.get("/api/v1/referrals/").status_code == 200
    _problem(reader.get("/api/v1/webhooks/"), 403)
    assert Grant.objects.count() == 0


def test_a_revoked_token_is_refused_at_once(helpline):
    assert helpline.get("/api/v1/referrals/").status_code == 200
    api_token_revoke(token=helpline.token, by=None)
    _problem(helpline.get("/api/v1/referrals/"), 401)


@override_settings(PROTECT_API_RATE="3/minute")
def test_past_its_rate_a_token_gets_429_with_retry_after(helpline, other_partner):
    from django.core.cache import cache

    cache.delete_many([f"throttle_partner_{helpline.token.pk}", f"throttle_partner_{other_partner.token.pk}"])
    statuses = [helpline.get("/api/v1/referrals/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = helpline.get("/api/v1/referrals/")
    _problem(limited, 429)
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert other_partner.get("/api/v1/referrals/").status_code == 200  # each token has its own budget


def test_problem_types_point_to_the_docs(helpline):
    body = _problem(helpline.get("/api/v1/referrals/G-NOPE00/"), 404)
    assert body["type"] == "/api/docs/#error-404"
    assert json.dumps(body).count("Traceback") == 0
