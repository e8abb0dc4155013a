"""Partner API fixtures: two partner organisations with tokens, and a client that speaks as one."""

from __future__ import annotations

import copy
import uuid

import pytest
from rest_framework.test import APIClient

from protect.accounts.models import ApiScope
from protect.accounts.services import api_token_issue, partner_organisation_ensure
from protect.api.examples import REFERRAL_GRANT_BODY, REFERRAL_RELOCATION_BODY

ALL_SCOPES = list(ApiScope.values)


def grant_body(**defender):
    body = copy.deepcopy(REFERRAL_GRANT_BODY)
    body["defender"] |= defender
    return body


def relocation_body():
    return copy.deepcopy(REFERRAL_RELOCATION_BODY)


class Partner:
    """A partner organisation's system: its token and an API client sending it."""

    def __init__(self, name: str, scopes=ALL_SCOPES):
        self.organisation = partner_organisation_ensure(name=name, by=None)
        self.account = self.organisation.account
        self.token, self.raw = api_token_issue(user=self.account, name="test", by=None, scopes=scopes)
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.raw}")

    def post(self, path, body, key=None, **extra):
        return self.client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()), **extra)

    def get(self, path, **extra):
        return self.client.get(path, **extra)

    def refer(self, body=None, key=None):
        response = self.post("/api/v1/referrals/", body or grant_body(), key=key)
        assert response.status_code == 201, response.content
        return response.json()


@pytest.fixture
def helpline(db, americas_caseworker):
    return Partner("Helpline Sur")


@pytest.fixture
def other_partner(db):
    return Partner("Red de Acogida")
