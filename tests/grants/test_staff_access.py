"""Who reaches which /cases/ page: every URL for every role of the cast, the outsider and an anonymous visitor.

Anonymous → login; donor, partner, host, outsider → 403 everywhere; a case the user may not see → 404
(never 403: a reference is not confirmed); finance sees a grant from its approval on, never its narrative.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from grants import services
from grants.models import Grant, GrantFile
from protect.audit.models import AuditEvent
from protect.cases.services.casefile import case_attach_file
from protect.cases.services.routing import case_route
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

INCIDENT = "Police raided the community radio office"
OUTSIDE_ROLES = ["donor", "partner", "host", "outsider"]
ACTIONS = ["reveal", "eligibility", "ask", "send-for-review", "review", "approve", "reject", "refer", "withdraw",
           "return-to-triage", "pay", "report", "waive-report", "close", "notes", "files"]


@pytest.fixture
def triage_grant(hotline_grant, caseworker):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case_attach_file(case=grant, by=caseworker, kind=GrantFile.Kind.ATTACHMENT,
                               uploaded_file=SimpleUploadedFile("summons.txt", b"Summons for next week."))
    return grant


def _client_for(request, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        login_verified(client, request.getfixturevalue(who))
    return client


def _pages(grant) -> dict[str, str]:
    file_id = grant.files.get().pk
    return {
        "queue": "/cases/",
        "review": "/cases/review/",
        "payments": "/cases/payments/",
        "new": "/cases/new/",
        "case": f"/cases/{grant.reference}/",
        "file": f"/cases/{grant.reference}/files/{file_id}/",
    }


# Expected GET status of each page for a case in triage on the Africa desk (caseworker = amina).
GET_MATRIX = {
    #                      queue review payments new case file
    "anonymous":            (302, 302, 302, 302, 302, 302),
    "caseworker":           (200, 403, 403, 200, 200, 200),
    "caseworker_other_team": (200, 403, 403, 200, 404, 404),
    "reviewer":             (200, 200, 403, 403, 404, 404),
    "approver":             (200, 200, 403, 403, 404, 404),
    "finance":              (200, 403, 200, 403, 404, 404),
    "coordinator":          (200, 200, 200, 200, 200, 200),
    **{role: (403,) * 6 for role in OUTSIDE_ROLES},
}


@pytest.mark.parametrize("who", sorted(GET_MATRIX))
def test_each_role_gets_the_expected_answer_on_every_page(request, who, triage_grant, team_africa,
                                                          caseworker_other_team):
    client = _client_for(request, who)
    for (name, url), expected in zip(_pages(triage_grant).items(), GET_MATRIX[who], strict=True):
        response = client.get(url)
        assert response.status_code == expected, (who, name, url, response.status_code)
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/"), url


# Every action URL, POSTed by someone who may not use it: nothing changes, whatever they send.
POST_EXPECTED = {"anonymous": 302, "caseworker_other_team": 404, "finance": 404, "reviewer": 404,
                 **{role: 403 for role in OUTSIDE_ROLES}}


# Actions reserved to a role answer 403 to every other role before the case is looked up.
ROLE_RESERVED = {
    "review": {"caseworker_other_team": 403, "finance": 403},
    "approve": {"caseworker_other_team": 403, "finance": 403},
    "return-to-triage": {"caseworker_other_team": 403, "finance": 403},
    "pay": {"caseworker_other_team": 403, "reviewer": 403},
    "waive-report": {"caseworker_other_team": 403, "finance": 403, "reviewer": 403},
}


@pytest.mark.parametrize("who", sorted(POST_EXPECTED))
def test_actions_are_refused_to_those_who_may_not_see_the_case(request, who, triage_grant, team_africa,
                                                                caseworker_other_team):
    client = _client_for(request, who)
    events_before = AuditEvent.objects.count()
    for action in ACTIONS:
        response = client.post(f"/cases/{triage_grant.reference}/{action}/",
                                {"reason": "x", "question": "x", "body": "x", "hrd": "on", "referred_to": "x"})
        expected = ROLE_RESERVED.get(action, {}).get(who, POST_EXPECTED[who])
        assert response.status_code == expected, (who, action, response.status_code)
    triage_grant.refresh_from_db()
    assert triage_grant.status == "triage" and not triage_grant.eligible_hrd
    assert AuditEvent.objects.count() == events_before


def test_a_reference_that_does_not_exist_answers_404_like_one_the_user_may_not_see(client, caseworker):
    login_verified(client, caseworker)
    assert client.get("/cases/G-ZZZZZZZZZZ/").status_code == 404
    assert client.post("/cases/G-ZZZZZZZZZZ/reveal/").status_code == 404


def test_action_urls_answer_only_post(client, caseworker, triage_grant):
    login_verified(client, caseworker)
    reserved = {"review", "approve", "return-to-triage", "pay", "waive-report"}  # not a caseworker's: 403 first
    for action in ACTIONS:
        expected = 403 if action in reserved else 405
        assert client.get(f"/cases/{triage_grant.reference}/{action}/").status_code == expected, action


def test_a_session_without_the_second_factor_is_sent_to_it(client, caseworker, triage_grant):
    client.force_login(caseworker)
    response = client.get(f"/cases/{triage_grant.reference}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")


@pytest.fixture
def approved_grant(triage_grant, caseworker, reviewer):
    grant = triage_grant
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve", verification=["partner_asked"],
                                 note="Partner confirmed.")
    return services.grant_approve(grant=grant, by=reviewer, amount_minor=300_000)


def test_finance_sees_a_grant_once_approved_but_never_its_narrative(client, finance, approved_grant):
    login_verified(client, finance)
    url = f"/cases/{approved_grant.reference}/"
    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert approved_grant.reference in content and "Record the payment" in content
    assert INCIDENT not in content and "Achieng Otieno" not in content and "Show confidential details" not in content
    assert "Partner confirmed." not in content  # the review note is narrative too

    reveals = AuditEvent.objects.filter(action="grants.grant.revealed").count()
    response = client.post(f"{url}reveal/")
    assert response.status_code == 403
    assert INCIDENT not in response.content.decode() and "Achieng Otieno" not in response.content.decode()
    assert AuditEvent.objects.filter(action="grants.grant.revealed").count() == reveals

    attachment = approved_grant.files.get()
    assert client.get(f"{url}files/{attachment.pk}/").status_code == 404  # an attachment is narrative


def test_finance_downloads_the_receipts_of_the_report(client, finance, caseworker, approved_grant):
    services.grant_record_disbursement(grant=approved_grant, by=finance, payment_reference="P-1",
                                       amount_minor=300_000, payee_kind="defender", payee_details="",
                                       paid_on=datetime.date.today())
    services.grant_receive_report(grant=approved_grant, by=caseworker, narrative="Lawyer paid.",
                                  receipts=[SimpleUploadedFile("receipt.txt", b"Receipt 42: lawyer's fee.")])
    receipt = approved_grant.files.get(kind=GrantFile.Kind.RECEIPT)
    login_verified(client, finance)
    response = client.get(f"/cases/{approved_grant.reference}/files/{receipt.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Receipt 42: lawyer's fee."


def test_pages_carry_no_inline_script_or_style(client, coordinator, triage_grant):
    login_verified(client, coordinator)
    for url in ("/cases/", "/cases/new/", f"/cases/{triage_grant.reference}/", "/cases/review/", "/cases/payments/"):
        content = client.get(url).content.decode()
        assert "<script" not in content and "style=" not in content and "<style" not in content, url
        assert not re.search(r"\son[a-z]+=", content), url  # no inline event handler either


def test_navigation_shows_each_role_its_pages(client, finance, caseworker, coordinator):
    login_verified(client, finance)
    content = client.get("/cases/").content.decode()
    assert 'href="/cases/payments/"' in content and 'href="/cases/new/"' not in content
    assert 'href="/audit/"' not in content
    login_verified(client, caseworker)
    content = client.get("/cases/").content.decode()
    assert 'href="/cases/new/"' in content and 'href="/cases/payments/"' not in content
    login_verified(client, coordinator)
    content = client.get("/cases/").content.decode()
    assert all(f'href="{url}"' in content for url in ("/cases/review/", "/cases/payments/", "/cases/new/", "/audit/"))
