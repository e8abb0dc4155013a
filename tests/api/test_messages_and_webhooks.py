"""The conversation with the caseworker and the web hooks that tell a partner of each status change."""

from __future__ import annotations

import pytest

from grants.models import Grant
from protect.api.models import WebhookSubscription
from protect.cases.services.casefile import case_ask_requester
from protect.cases.services.routing import case_route
from protect.delivery.models import Delivery

pytestmark = pytest.mark.django_db


def _routed(partner):
    reference = partner.refer()["reference"]
    grant = Grant.objects.get(reference=reference)
    return case_route(model=Grant, case_id=grant.pk)


def test_the_partner_reads_the_caseworkers_question_and_its_answer_resumes_the_case(helpline, americas_caseworker):
    grant = _routed(helpline)
    assert grant.caseworker == americas_caseworker
    case_ask_requester(case=grant, by=americas_caseworker, question="Can she travel on Thursday?")
    grant.refresh_from_db()
    assert grant.status == "info_requested"
    path = f"/api/v1/referrals/{grant.reference}/messages/"
    assert [(m["sender"], m["body"]) for m in helpline.get(path).json()] == [
        ("caseworker", "Can she travel on Thursday?")]
    answer = helpline.post(path, {"body": "Yes, in the morning."})
    assert answer.status_code == 201 and answer.json()["sender"] == "partner"
    grant.refresh_from_db()
    assert grant.status == "triage"
    assert grant.messages.last().body == "Yes, in the morning."
    assert helpline.get(f"/api/v1/referrals/{grant.reference}/").json()["status"] == "triage"


def test_a_retried_message_is_written_once(helpline):
    grant = _routed(helpline)
    path = f"/api/v1/referrals/{grant.reference}/messages/"
    first = helpline.post(path, {"body": "One message."}, key="m-1")
    again = helpline.post(path, {"body": "One message."}, key="m-1")
    assert first.json() == again.json() and grant.messages.count() == 1


def test_an_empty_message_is_refused(helpline):
    grant = _routed(helpline)
    response = helpline.post(f"/api/v1/referrals/{grant.reference}/messages/", {"body": "  "})
    assert response.status_code == 400 and grant.messages.count() == 0


def test_a_subscription_returns_its_secret_once_and_each_status_change_queues_one_signed_delivery(helpline):
    created = helpline.post("/api/v1/webhooks/", {"url": "https://partner.example.org/hooks"})
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["referral.status_changed"]
    assert "secret" not in helpline.get(f"/api/v1/webhooks/{body['id']}/").json()
    grant = _routed(helpline)  # submitted → triage
    deliveries = Delivery.objects.filter(channel="webhook")
    assert deliveries.count() == 1
    delivery = deliveries.get()
    assert delivery.subject == "referral.status_changed" and grant.reference in delivery.body
    assert "Kestrel" not in delivery.body and "Rosa" not in delivery.body  # no name ever leaves
    log = helpline.get(f"/api/v1/webhooks/{body['id']}/deliveries/").json()["results"]
    assert [(d["event"], d["status"]) for d in log] == [("referral.status_changed", "pending")]


def test_another_partners_referrals_send_nothing_to_my_receiver(helpline, other_partner):
    helpline.post("/api/v1/webhooks/", {"url": "https://partner.example.org/hooks"})
    _routed(other_partner)
    assert Delivery.objects.count() == 0


def test_a_plain_http_or_foreign_scheme_receiver_is_refused(helpline):
    for url in ("http://partner.example.org/hooks", "file:///etc/passwd", "ftp://x"):
        response = helpline.post("/api/v1/webhooks/", {"url": url})
        assert response.status_code == 422, url
    assert WebhookSubscription.objects.count() == 0


def test_a_deleted_subscription_receives_nothing_more_and_is_gone_for_its_partner(helpline, other_partner):
    hook = helpline.post("/api/v1/webhooks/", {"url": "https://partner.example.org/hooks"}).json()
    assert other_partner.client.delete(f"/api/v1/webhooks/{hook['id']}/").status_code == 404
    assert helpline.client.delete(f"/api/v1/webhooks/{hook['id']}/").status_code == 204
    assert helpline.client.delete(f"/api/v1/webhooks/{hook['id']}/").status_code == 404
    _routed(helpline)
    assert Delivery.objects.count() == 0
    assert helpline.get("/api/v1/webhooks/").json() == []


def test_a_kept_answer_is_sealed_and_purged_after_its_day(helpline):
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from protect.api.models import IdempotentRequest
    from protect.api.services import idempotency_keys_purge

    secret = helpline.post("/api/v1/webhooks/", {"url": "https://partner.example.org/hooks"}, key="w").json()["secret"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT response FROM api_idempotentrequest")
        assert secret not in str(cursor.fetchall())
    assert helpline.post("/api/v1/webhooks/", {"url": "https://partner.example.org/hooks"},
                         key="w").json()["secret"] == secret  # the first answer, again
    assert idempotency_keys_purge() == 0
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_keys_purge() == 1 and not IdempotentRequest.objects.exists()
