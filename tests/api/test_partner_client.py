"""A partner's system, written with `requests` from the docs alone, against the live server with a
real Celery worker and a web hook receiver of its own on 127.0.0.1."""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.core.management import call_command
from django.test import override_settings
from standardwebhooks.webhooks import Webhook

from grants import services as grant_services
from grants.models import Grant
from protect.api.examples import REFERRAL_GRANT_BODY

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    """The partner's web hook receiver: records each delivery's headers and body."""
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks", received
    server.shutdown()


def issue_token(organisation: str, *scopes: str) -> str:
    out = io.StringIO()
    call_command("partner_token", "create", "--organisation", organisation,
                 *[arg for scope in scopes for arg in ("--scope", scope)], stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def wait_for(check, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    return check()


@override_settings(PROTECT_API_RATE="40/minute")
def test_a_partner_system_refers_follows_and_is_cut_off(live_server, celery_worker_process, receiver,
                                                         reviewer, coordinator):
    from django.core.cache import cache

    from protect.accounts.models import Team
    from tests.helpers import make_user

    carla = make_user("carla", "caseworker")
    Team.objects.create(name="Americas desk", region="americas", languages=["es"]).members.add(carla)
    hook_url, received = receiver
    base = live_server.url + "/api/v1"

    # 1. A coordinator made its token; the partner's system sends it as a bearer token.
    raw = issue_token("Helpline Sur", "referrals:read", "referrals:write", "webhooks:manage")
    partner = requests.Session()
    partner.headers["Authorization"] = f"Bearer {raw}"
    hook = partner.post(f"{base}/webhooks/", json={"url": hook_url, "events": ["referral.status_changed"]},
                        headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert hook.status_code == 201
    secret = hook.json()["secret"]

    # 2. It refers a case, and its retry with the same key makes no second one.
    key = str(uuid.uuid4())
    first = partner.post(f"{base}/referrals/", json=REFERRAL_GRANT_BODY, headers={"Idempotency-Key": key}, timeout=10)
    retry = partner.post(f"{base}/referrals/", json=REFERRAL_GRANT_BODY, headers={"Idempotency-Key": key}, timeout=10)
    assert first.status_code == retry.status_code == 201 and first.json() == retry.json()
    reference = first.json()["reference"]
    assert Grant.objects.count() == 1

    # 3. It follows the status as the worker routes the case to triage, and as it is approved.
    assert wait_for(lambda: partner.get(f"{base}/referrals/{reference}/", timeout=10).json()["status"] == "triage")
    grant = Grant.objects.get(reference=reference)
    assert grant.caseworker == carla
    grant_services.grant_update_eligibility(grant=grant, by=carla, hrd=True, risk=True, urgent=True,
                                            no_other_source=True)
    grant = grant_services.grant_submit_for_review(grant=grant, by=carla, reviewer=reviewer)
    grant_services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                       verification=["partner_asked"], note="Confirmed by the partner.")
    grant_services.grant_approve(grant=grant, by=reviewer, amount_minor=250_000)
    assert partner.get(f"{base}/referrals/{reference}/", timeout=10).json()["status"] == "approved"

    statuses = ["triage", "under_review", "approved"]
    assert wait_for(lambda: len(received) >= len(statuses)), f"received {len(received)} web hooks"
    verifier = Webhook(secret)
    seen = []
    for headers, body in received:
        payload = verifier.verify(body, headers)  # raises if any signature does not verify
        assert payload["type"] == "referral.status_changed" and payload["data"]["reference"] == reference
        seen.append(payload["data"]["status"])
        assert "Rosa" not in body.decode() and "usurpation" not in body.decode()
    assert seen == statuses
    log = partner.get(f"{base}/webhooks/{hook.json()['id']}/deliveries/", timeout=10).json()["results"]
    assert sorted(d["status"] for d in log) == ["sent"] * 3

    # 4. Another partner's referral is not found.
    other = requests.Session()
    other.headers["Authorization"] = f"Bearer {issue_token('Red de Acogida', 'referrals:read')}"
    assert other.get(f"{base}/referrals/{reference}/", timeout=10).status_code == 404
    assert other.get(f"{base}/referrals/", timeout=10).json()["results"] == []

    # 5. Past its rate it is throttled, and told when to come back.
    cache.clear()
    answers = [partner.get(f"{base}/referrals/", timeout=10) for _ in range(41)]
    assert [a.status_code for a in answers[:40]] == [200] * 40
    assert answers[40].status_code == 429 and int(answers[40].headers["Retry-After"]) >= 1
    assert answers[40].headers["Content-Type"] == "application/problem+json"

    # Every request it made is in the audit chain with its token, once the worker folded them in.
    from protect.api.tasks import audit_token_requests
    from protect.audit.models import AuditEvent

    audit_token_requests.delay().get(timeout=30)
    labels = set(AuditEvent.objects.filter(action="api.request.made").values_list("actor_label", flat=True))
    assert f"token:{raw.split('_')[1]}" in labels

    # 6. Revoked, it is cut off at once.
    cache.clear()
    prefix = raw.split("_")[1]
    call_command("partner_token", "revoke", prefix, stdout=io.StringIO())
    refused = partner.get(f"{base}/referrals/", timeout=10)
    assert refused.status_code == 401 and json.loads(refused.content)["status"] == 401
