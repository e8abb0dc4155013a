"""The partner API from the outside, as a partner's system calls it: referrals of both kinds, the
partner's own list, idempotent POSTs, and nothing of anyone else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grants.models import Grant
from protect.api.models import Referral
from protect.audit.models import AuditEvent
from protect.cases.access import case_scope
from relocation.models import Relocation
from tests.api.conftest import grant_body, relocation_body

pytestmark = pytest.mark.django_db


def test_a_partner_refers_a_grant_request_and_reads_its_status_in_plain_words(helpline):
    created = helpline.refer()
    assert created["reference"].startswith("G-") and created["kind"] == "grant"
    grant = Grant.objects.get(reference=created["reference"])
    assert grant.channel == "partner" and grant.referred_by == helpline.account
    assert grant.amount_requested_minor == 250_000 and grant.needs == ["legal"]
    assert grant.defender.secure_channels["notes"].startswith("Only through us")
    read = helpline.get(f"/api/v1/referrals/{created['reference']}/").json()
    assert read["status"] == grant.status and read["status_text"]
    assert set(read) == {"reference", "kind", "status", "status_text", "urgency", "submitted_at",
                         "status_changed_at", "messages_url"}


def test_a_partner_refers_a_relocation_with_family(helpline):
    created = helpline.refer(relocation_body())
    relocation = Relocation.objects.get(reference=created["reference"])
    assert created["reference"].startswith("R-") and relocation.family.count() == 2
    assert relocation.referred_by == helpline.account and relocation.language == "ar"


def test_the_same_key_and_body_twice_make_one_case_and_the_first_answer(helpline):
    first = helpline.post("/api/v1/referrals/", grant_body(), key="key-1")
    again = helpline.post("/api/v1/referrals/", grant_body(), key="key-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Grant.objects.count() == 1 and Referral.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(helpline):
    helpline.post("/api/v1/referrals/", grant_body(), key="key-1")
    other = helpline.post("/api/v1/referrals/", grant_body(pseudonym="Someone else"), key="key-1")
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency_key_reused"
    assert Grant.objects.count() == 1


def test_a_post_without_an_idempotency_key_is_refused(helpline):
    response = helpline.client.post("/api/v1/referrals/", grant_body(), format="json")
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"
    assert Grant.objects.count() == 0


def test_a_refused_request_keeps_no_key_so_the_corrected_retry_goes_through(helpline):
    bad = grant_body()
    bad["grant"]["incident"] = ""
    assert helpline.post("/api/v1/referrals/", bad, key="k").status_code == 422
    assert helpline.post("/api/v1/referrals/", grant_body(), key="k").status_code == 201


def test_the_list_holds_only_this_partners_referrals_newest_first(helpline, other_partner):
    mine = [helpline.refer()["reference"], helpline.refer(relocation_body())["reference"]]
    theirs = other_partner.refer()["reference"]
    listed = helpline.get("/api/v1/referrals/").json()
    assert [r["reference"] for r in listed["results"]] == mine[::-1]
    # Each row carries its own case's status, whichever kind's table holds it (the view's joins).
    cases = {mine[0]: Grant.objects.get(reference=mine[0]), mine[1]: Relocation.objects.get(reference=mine[1])}
    assert {r["reference"]: (r["status"], r["urgency"]) for r in listed["results"]} == {
        reference: (case.status, case.urgency) for reference, case in cases.items()}
    assert all(r["status_text"] and r["submitted_at"] for r in listed["results"])
    assert theirs not in str(listed)
    only_relocations = helpline.get("/api/v1/referrals/?kind=relocation").json()["results"]
    assert [r["reference"] for r in only_relocations] == [mine[1]]


def test_the_list_pages_with_a_cursor(helpline):
    made = [helpline.refer()["reference"] for _ in range(3)]
    first = helpline.get("/api/v1/referrals/?page_size=2").json()
    assert [r["reference"] for r in first["results"]] == made[:0:-1]
    second = helpline.get(first["next"]).json()
    assert [r["reference"] for r in second["results"]] == made[:1] and second["next"] is None


def test_the_previous_link_leads_back_page_by_page_and_filters_carry_along(helpline):
    made = [helpline.refer()["reference"] for _ in range(5)]
    helpline.refer(relocation_body())
    first = helpline.get("/api/v1/referrals/?page_size=2&kind=grant").json()
    assert first["previous"] is None and [r["reference"] for r in first["results"]] == made[:2:-1]
    second = helpline.get(first["next"]).json()
    third = helpline.get(second["next"]).json()
    assert [r["reference"] for r in second["results"]] == made[2:0:-1]
    assert [r["reference"] for r in third["results"]] == made[:1] and third["next"] is None
    back = helpline.get(third["previous"]).json()
    assert back["results"] == second["results"]
    assert helpline.get(back["previous"]).json()["results"] == first["results"]


def test_the_list_filters_by_creation_time_and_refuses_a_wrong_filter_clearly(helpline):
    earlier, later = helpline.refer()["reference"], helpline.refer()["reference"]
    Referral.objects.filter(reference=earlier).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    Referral.objects.filter(reference=later).update(created_at=datetime(2026, 6, 1, tzinfo=UTC))

    def listed(query):
        return [r["reference"] for r in helpline.get(f"/api/v1/referrals/?{query}").json()["results"]]

    assert listed("created_after=2026-03-01T00:00:00Z") == [later]
    assert listed("created_before=2026-03-01T00:00:00Z") == [earlier]
    assert listed("created_after=2026-01-01T00:00:00Z&created_before=2026-06-01T00:00:00Z") == [earlier]
    for query in ("created_after=yesterday", "kind=alert"):
        refused = helpline.get(f"/api/v1/referrals/?{query}")
        assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
        assert query.split("=")[0] in refused.json()["errors"]


@pytest.mark.parametrize("cursor", ["not-base64", "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "cD1hYmM="])
def test_a_cursor_that_names_no_place_is_not_found(helpline, cursor):
    helpline.refer()
    response = helpline.get(f"/api/v1/referrals/?cursor={cursor}")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_another_partners_referral_is_not_found_not_forbidden(helpline, other_partner):
    theirs = other_partner.refer()["reference"]
    for path in (f"/api/v1/referrals/{theirs}/", f"/api/v1/referrals/{theirs}/messages/"):
        response = helpline.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    posted = helpline.post(f"/api/v1/referrals/{theirs}/messages/", {"body": "hello"})
    assert posted.status_code == 404


def test_a_read_carries_an_etag_and_an_unchanged_resource_answers_304(helpline):
    reference = helpline.refer()["reference"]
    first = helpline.get(f"/api/v1/referrals/{reference}/")
    assert first.status_code == 200 and first["ETag"]
    again = helpline.get(f"/api/v1/referrals/{reference}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_every_request_made_with_a_token_is_audited_with_the_token(helpline):
    from protect.api.models import TokenRequest
    from protect.api.services import token_requests_audit

    reference = helpline.refer()["reference"]
    helpline.get(f"/api/v1/referrals/{reference}/")
    assert TokenRequest.objects.count() == 2
    assert token_requests_audit() == 2 and token_requests_audit() == 0
    assert not TokenRequest.objects.exists()
    events = AuditEvent.objects.filter(action="api.request.made").order_by("seq")
    assert [(e.data["method"], e.data["status"], e.data["token"]) for e in events] == [
        ("POST", 201, helpline.token.prefix), ("GET", 200, helpline.token.prefix)]
    assert all(e.actor_id == helpline.account.pk for e in events)


def test_the_list_tells_each_kind_its_own_status_and_times_in_utc(helpline):
    grant_ref = helpline.refer()["reference"]
    relocation_ref = helpline.refer(relocation_body())["reference"]
    Relocation.objects.filter(reference=relocation_ref).update(
        status=Relocation.Status.ASSESSING, status_changed_at=datetime(2026, 3, 4, 5, 6, 7, 80, tzinfo=UTC))
    listed = {row["reference"]: row for row in helpline.get("/api/v1/referrals/").json()["results"]}
    for model, reference in ((Grant, grant_ref), (Relocation, relocation_ref)):
        case = model.objects.get(reference=reference)
        row = listed[reference]
        assert (row["kind"], row["status"], row["urgency"]) == (case.kind, case.status, case.urgency)
        assert row["status_text"] == str(model.REQUESTER_SENTENCES[case.status])
        assert row["submitted_at"] == case.submitted_at.isoformat().replace("+00:00", "Z")
        changed = case.status_changed_at
        assert row["status_changed_at"] == (changed and changed.isoformat().replace("+00:00", "Z"))
        assert helpline.get(f"/api/v1/referrals/{reference}/").json() == row


def test_a_referral_whose_case_the_partner_may_no_longer_see_is_left_out(helpline, other_partner):
    kept, moved = helpline.refer()["reference"], helpline.refer()["reference"]
    Grant.objects.filter(reference=moved).update(referred_by=other_partner.account)
    listed = helpline.get("/api/v1/referrals/").json()["results"]
    assert [row["reference"] for row in listed] == [kept]
    assert helpline.get(f"/api/v1/referrals/{moved}/").status_code == 404


def test_the_list_shows_exactly_the_referred_cases_the_kernel_lets_the_partner_see(helpline, other_partner):
    mine = {helpline.refer()["reference"], helpline.refer(relocation_body())["reference"]}
    other_partner.refer()
    seen = {case.reference for model in (Grant, Relocation)
            for case in case_scope(helpline.account, model.objects.all())}
    listed = {row["reference"] for row in helpline.get("/api/v1/referrals/").json()["results"]}
    assert listed == seen == mine
