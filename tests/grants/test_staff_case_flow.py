"""A grant walks the whole workflow through the staff pages, each step as the person who does it.

Every refused input shows a clear message and changes nothing; a reload or double click of a POST
changes things once.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from grants import services
from grants.models import Approval, Disbursement, Grant, Message, Note
from protect.audit.models import AuditEvent
from protect.cases.services.casefile import case_add_note, case_ask_requester, case_requester_reply
from protect.cases.services.requester import case_for_requester
from protect.cases.services.routing import case_route
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today().isoformat()


@pytest.fixture
def as_user():
    clients: dict[int, Client] = {}

    def client_for(user) -> Client:
        if user.pk not in clients:
            clients[user.pk] = Client()
            login_verified(clients[user.pk], user)
        return clients[user.pk]

    return client_for


def _text(response) -> str:
    """The page's visible text, roughly: tags dropped, entities of apostrophes and quotes undone."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(content.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&").split())


def _state(grant) -> tuple:
    grant.refresh_from_db()
    return (grant.status, grant.approvals.count(), grant.disbursements.count(), grant.approved_amount_minor,
            grant.reviewer_id, grant.second_approver_id)


HOTLINE_POST = {
    "pseudonym": "Heron", "legal_name": "Grace Wanjiku Mwangi", "country": "KE", "kind": "person",
    "phone": "+254 700 555 123", "languages": "sw, en", "profiles": ["journalist"],
    "language": "en", "risk_kinds": ["threats", "detention"], "urgency": "critical",
    "needs": ["legal", "medical"], "amount": "6000.00", "currency": "EUR",
    "incident": "Arrested at a protest, beaten in custody, released on bail.",
    "threat": "Trial next month; officers visited her home twice.",
    "need_details": "Lawyer and a medical examination.",
    "endorser_1_name": "Joseph K.", "endorser_1_organisation": "Law Society", "endorser_1_contact": "via partner",
}


def _record_by_hotline(client, **overrides) -> tuple[Grant, str]:
    page = client.get("/cases/new/").content.decode()
    token = re.search(r'name="intake_token" value="([^"]+)"', page).group(1)
    response = client.post("/cases/new/", HOTLINE_POST | {"intake_token": token} | overrides)
    assert response.status_code == 200, _text(response)
    grant = Grant.objects.get(reference=response.context["grant"].reference)
    return grant, token


def test_hotline_intake_records_the_request_and_shows_the_receipt_once(as_user, caseworker, team_africa):
    client = as_user(caseworker)
    page = client.get("/cases/new/").content.decode()
    token = re.search(r'name="intake_token" value="([^"]+)"', page).group(1)
    response = client.post("/cases/new/", HOTLINE_POST | {"intake_token": token})
    assert response.status_code == 200
    grant = Grant.objects.get()
    requester = response.context["requester"]
    assert requester.receipt_code in response.content.decode() and requester.passphrase in response.content.decode()
    assert grant.channel == "hotline" and grant.recorded_by == caseworker and grant.amount_requested_minor == 600_000
    assert grant.defender.legal_name == "Grace Wanjiku Mwangi" and grant.defender.country == "KE"
    assert grant.defender.region == grant.region == "africa"  # from the country: the form asks no region
    assert grant.defender.contacts == {"phone": "+254 700 555 123"}
    assert grant.endorsers == [{"name": "Joseph K.", "organisation": "Law Society", "contact": "via partner"}]
    # The requester can open the status with what was shown.
    assert case_for_requester(receipt_code=requester.receipt_code, passphrase=requester.passphrase) == grant

    # A reload (the same form sent again) records nothing more and shows no secret again.
    again = client.post("/cases/new/", HOTLINE_POST | {"intake_token": token})
    assert again.status_code == 302 and again["Location"] == f"/cases/{grant.reference}/"
    assert Grant.objects.count() == 1
    assert "already recorded" in _text(client.get(again["Location"]))
    # The caseworker who recorded it sees the case before it is routed.
    assert client.get(f"/cases/{grant.reference}/").status_code == 200


def test_hotline_intake_for_an_existing_defender_and_refusals(as_user, caseworker, caseworker_other_team,
                                                              team_africa, hotline_grant):
    existing = hotline_grant().defender
    client = as_user(caseworker)
    grant, _ = _record_by_hotline(client, defender_reference=existing.reference.lower(), pseudonym="", legal_name="",
                                  country="")
    assert grant.defender == existing

    # Bad input: nothing recorded, the page says what is wrong.
    count = Grant.objects.count()
    token = re.search(r'name="intake_token" value="([^"]+)"', client.get("/cases/new/").content.decode()).group(1)
    response = client.post("/cases/new/", HOTLINE_POST | {"intake_token": token, "amount": "20000"})
    assert response.status_code == 400 and "above the maximum grant" in _text(response)
    response = client.post("/cases/new/", HOTLINE_POST | {"intake_token": token, "needs": []})
    assert response.status_code == 400 and "This field is required" in _text(response)
    assert Grant.objects.count() == count

    # A defender the user may not see cannot be picked, even by its exact reference.
    other = as_user(caseworker_other_team)
    token = re.search(r'name="intake_token" value="([^"]+)"', other.get("/cases/new/").content.decode()).group(1)
    response = other.post("/cases/new/", HOTLINE_POST | {"intake_token": token,
                                                        "defender_reference": existing.reference})
    assert response.status_code == 400 and "No defender with this reference" in _text(response)
    assert Grant.objects.count() == count


def test_a_grant_goes_from_hotline_to_closed_through_the_pages(
    as_user, caseworker, reviewer, approver, finance, coordinator, team_africa
):
    cw, rv, ap, fi, co = (as_user(u) for u in (caseworker, reviewer, approver, finance, coordinator))
    grant, _ = _record_by_hotline(cw)  # EUR 6,000: above the second-approval threshold (EUR 5,000)
    case = f"/cases/{grant.reference}/"
    case_route(model=Grant, case_id=grant.pk)  # the worker does this in production
    grant.refresh_from_db()
    assert grant.status == "triage" and grant.caseworker == caseworker

    # Triage: a question to the requester, who answers on the status page.
    response = cw.post(case + "ask/", {"question": "Which court hears the case?"})
    assert response.status_code == 302 and response["Location"] == case
    assert _state(grant)[0] == "info_requested"
    case_requester_reply(case=grant, body="The Kibera law courts.")
    page = _text(cw.get(case))
    assert "Which court hears the case?" in page and "The Kibera law courts." in page
    assert _state(grant)[0] == "triage"

    # Sending for review before the checklist is complete is refused, and changes nothing.
    before = _state(grant)
    response = cw.post(case + "send-for-review/", {"reviewer": reviewer.pk})
    assert response.status_code == 409 and "Complete the eligibility checklist first" in _text(response)
    assert _state(grant) == before
    assert cw.post(case + "eligibility/", {"hrd": "on", "risk": "on", "urgent": "on",
                                           "no_other_source": "on"}).status_code == 302
    # The caseworker cannot pick themselves (nor a non-reviewer) as reviewer: the choice is not offered.
    response = cw.post(case + "send-for-review/", {"reviewer": caseworker.pk})
    assert response.status_code == 400 and _state(grant) == before
    assert cw.post(case + "send-for-review/", {"reviewer": reviewer.pk}).status_code == 302
    assert _state(grant)[0] == "under_review" and grant.reviewer == reviewer and grant.prepared_by == caseworker

    # Review, then approvals.
    assert rv.post(case + "review/", {"recommendation": "approve", "verification": ["endorser_contacted"],
                                      "note": "Law Society confirmed.", "proposed_amount": "6000"}).status_code == 302
    before = _state(grant)
    response = rv.post(case + "approve/", {"amount": "10000.01", "second_approver": approver.pk})
    assert response.status_code == 400 and "above the maximum grant of EUR 10,000" in _text(response)
    assert _state(grant) == before
    response = cw.post(case + "approve/", {"amount": "6000"})  # the caseworker who prepared it
    assert response.status_code == 403  # caseworkers never approve: refused by role
    assert _state(grant) == before
    response = rv.post(case + "approve/", {"amount": "abc"})
    assert response.status_code == 400 and _state(grant) == before

    assert rv.post(case + "approve/", {"amount": "6000", "second_approver": approver.pk}).status_code == 302
    status, approvals, *_rest, second = _state(grant)
    assert (status, approvals, second) == ("under_review", 1, approver.pk)
    assert "Approve" in _text(ap.get(case))  # the co-signer now sees the case and the form
    response = ap.post(case + "approve/", {"amount": "5500"})
    assert response.status_code == 400 and "same amount as the first" in _text(response)
    assert ap.post(case + "approve/", {"amount": "6000"}).status_code == 302
    assert _state(grant)[0] == "approved" and grant.approved_amount_minor == 600_000

    # Payments in two instalments; a double POST is one payment.
    payment = {"payment_reference": "BANK-2026-0001", "amount": "4000", "payee_kind": "third_party",
               "payee_details": "Kamau & Partners advocates", "paid_on": TODAY}
    assert fi.post(case + "pay/", payment).status_code == 302
    assert fi.post(case + "pay/", payment).status_code == 302
    assert Disbursement.objects.filter(grant=grant).count() == 1 and _state(grant)[0] == "disbursing"
    page = _text(fi.get(case))
    assert "Paid EUR 4,000.00 of EUR 6,000.00 approved; EUR 2,000.00 left to pay." in page
    before = _state(grant)
    response = fi.post(case + "pay/", payment | {"amount": "1000"})
    assert response.status_code == 409 and "already recorded for another payment" in _text(response)
    response = fi.post(case + "pay/", payment | {"payment_reference": "BANK-2026-0002", "amount": "2500"})
    assert response.status_code == 400 and "would exceed the approved amount" in _text(response)
    response = fi.post(case + "pay/", payment | {"payment_reference": "", "amount": "2000"})
    assert response.status_code == 400
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = fi.post(case + "pay/", payment | {"payment_reference": "BANK-2026-0002", "paid_on": tomorrow})
    assert response.status_code == 400 and "cannot be in the future" in _text(response)
    assert _state(grant) == before
    assert fi.post(case + "pay/", payment | {"payment_reference": "BANK-2026-0002", "amount": "2000",
                                             "payee_kind": "defender", "payee_details": ""}).status_code == 302
    assert _state(grant)[0] == "reporting" and grant.report_due_at is not None

    # Closing needs the report, or a coordinator's waiver.
    response = cw.post(case + "close/")
    assert response.status_code == 409 and "Receive the report, or have a coordinator waive it" in _text(response)
    response = cw.post(case + "waive-report/", {"reason": "Receipts would expose her."})
    assert response.status_code == 403 and "Your role does not allow this" in _text(response)
    response = co.post(case + "waive-report/", {"reason": ""})
    assert response.status_code == 400
    assert _state(grant)[0] == "reporting" and grant.report_waived_by is None
    assert co.post(case + "waive-report/", {"reason": "Receipts would expose her new address."}).status_code == 302
    assert cw.post(case + "close/").status_code == 302
    assert _state(grant)[0] == "closed"

    timeline = _text(cw.get(case))
    for phrase in ("registered the request", "sent the requester a question", "sent the case for review",
                   "recorded a review", "approved; a second approval is still needed", "approved the grant",
                   "recorded a payment", "marked the grant fully paid", "waived the report", "closed the case"):
        assert phrase in timeline, phrase


def test_the_preparer_cannot_approve_even_as_a_coordinator(as_user, coordinator, reviewer, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    co = as_user(coordinator)
    case = f"/cases/{grant.reference}/"
    co.post(case + "eligibility/", {"hrd": "on", "risk": "on", "urgent": "on", "no_other_source": "on"})
    assert co.post(case + "send-for-review/", {"reviewer": reviewer.pk}).status_code == 302
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                 verification=["documents_checked"], note="")
    assert f'action="{case}review/"' not in co.get(case).content.decode()  # nor review the case they prepared
    response = co.post(case + "approve/", {"amount": "3000"})
    assert response.status_code == 400
    assert "You prepared this case: someone else must approve it." in _text(response)
    grant.refresh_from_db()
    assert grant.status == "under_review" and not Approval.objects.filter(grant=grant).exists()


def test_showing_the_confidential_details_is_audited_each_time(as_user, caseworker, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    cw = as_user(caseworker)
    case = f"/cases/{grant.reference}/"
    page = _text(cw.get(case))
    assert "Police raided the community radio office" not in page and "Achieng Otieno" not in page
    assert "Show confidential details" in page
    response = cw.post(case + "reveal/")
    assert response.status_code == 200
    page = _text(response)
    assert "Police raided the community radio office" in page and "Achieng Otieno" in page and "+254700000001" in page
    event = AuditEvent.objects.get(action="grants.grant.revealed")
    assert event.actor == caseworker and event.target_id == str(grant.pk)
    assert "defender.legal_name" in event.data["fields"] and "incident" in event.data["fields"]
    cw.post(case + "reveal/")
    assert AuditEvent.objects.filter(action="grants.grant.revealed").count() == 2
    assert "viewed the confidential details" in _text(cw.get(case))


def test_notes_and_files_are_added_and_downloads_audited(as_user, caseworker, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    cw = as_user(caseworker)
    case = f"/cases/{grant.reference}/"
    assert cw.post(case + "notes/", {"body": "Called the endorser; call back Friday."}).status_code == 302
    assert cw.post(case + "notes/", {"body": "   "}).status_code == 400
    assert Note.objects.filter(case=grant).count() == 1
    assert "Called the endorser; call back Friday." in _text(cw.get(case))

    upload = SimpleUploadedFile("court-summons.txt", b"Summons: appear on the 14th.", content_type="text/plain")
    assert cw.post(case + "files/", {"file": upload}).status_code == 302
    refused = SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>", content_type="text/plain")
    response = cw.post(case + "files/", {"file": refused})
    assert response.status_code == 400 and "This type of file is not accepted" in _text(response)
    stored = grant.files.get()
    assert "court-summons.txt" in _text(cw.get(case))
    response = cw.get(f"{case}files/{stored.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"Summons: appear on the 14th."
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="grants.file.downloaded", actor=caseworker).count() == 1


def test_reject_refer_and_withdraw_need_their_reason(as_user, caseworker, hotline_grant):
    cw = as_user(caseworker)
    grants = [case_route(model=Grant, case_id=hotline_grant().pk) for _ in range(3)]
    for grant, action, data, status in (
        (grants[0], "reject", {"reason": "Not a defender."}, "rejected"),
        (grants[1], "refer", {"referred_to": "Urgent Action Fund", "reason": "Better placed."}, "referred"),
        (grants[2], "withdraw", {"reason": "The defender asked to stop."}, "withdrawn"),
    ):
        case = f"/cases/{grant.reference}/"
        empty = {key: "" for key in data}
        assert cw.post(f"{case}{action}/", empty).status_code == 400
        grant.refresh_from_db()
        assert grant.status == "triage"
        assert cw.post(f"{case}{action}/", data).status_code == 302
        grant.refresh_from_db()
        assert grant.status == status
    assert grants[1].referred_to == "Urgent Action Fund"


def test_the_case_page_offers_only_what_the_user_may_do_now(as_user, caseworker, reviewer, finance, coordinator,
                                                             hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case = f"/cases/{grant.reference}/"
    page = as_user(caseworker).get(case).content.decode()
    for action in ("eligibility", "ask", "send-for-review", "reject", "refer", "withdraw", "notes", "files"):
        assert f'action="{case}{action}/"' in page, action
    for action in ("approve", "review", "pay", "close", "waive-report", "return-to-triage", "report"):
        assert f'action="{case}{action}/"' not in page, action
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    page = as_user(reviewer).get(case).content.decode()
    for action in ("review", "return-to-triage", "reject", "refer", "ask"):
        assert f'action="{case}{action}/"' in page, action
    assert f'action="{case}approve/"' not in page  # no review recorded yet
    page = as_user(caseworker).get(case).content.decode()
    assert f'action="{case}reject/"' not in page and f'action="{case}approve/"' not in page
    assert f'action="{case}withdraw/"' in page
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve", verification=["partner_asked"],
                                 note="")
    page = as_user(reviewer).get(case).content.decode()
    assert f'action="{case}approve/"' in page and 'name="second_approver"' not in page  # EUR 3,000: one approval
    services.grant_approve(grant=grant, by=reviewer, amount_minor=300_000)
    page = as_user(finance).get(case).content.decode()
    assert f'action="{case}pay/"' in page and f'action="{case}notes/"' not in page
    page = as_user(coordinator).get(case).content.decode()
    assert f'action="{case}pay/"' not in page


def test_a_partner_referral_offers_the_question_its_partner_reads_through_the_api(as_user, caseworker, partner,
                                                                                   team_africa):
    from tests.grants.conftest import DEFENDER, details

    grant = services.grant_refer_from_partner(partner=partner, defender_data=dict(DEFENDER), details=details())
    grant = case_route(model=Grant, case_id=grant.pk)
    case = f"/cases/{grant.reference}/"
    cw = as_user(caseworker)
    assert f'action="{case}ask/"' in cw.get(case).content.decode()
    assert cw.post(case + "ask/", {"question": "Which court?"}).status_code == 302
    assert Message.objects.get(case=grant).body == "Which court?"  # GET /api/v1/referrals/<ref>/messages/


def test_a_case_of_an_erased_defender_still_opens_without_its_encrypted_data(as_user, caseworker, coordinator,
                                                                             reviewer, hotline_grant):
    from protect.defenders.services import defender_erase

    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case_add_note(case=grant, by=caseworker, body="Met at the safe house.")
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve", verification=["partner_asked"],
                                 note="Confirmed by the partner.")
    defender_erase(defender=grant.defender, by=coordinator, reason="Asked by the defender.")
    case = f"/cases/{grant.reference}/"
    for user in (reviewer, coordinator):
        response = as_user(user).get(case)
        assert response.status_code == 200
        page = _text(response)
        assert "data was erased" in page and "Met at the safe house." not in page
        assert "Confirmed by the partner." not in page
    response = as_user(coordinator).post(case + "reveal/")
    assert response.status_code == 410 and "Achieng Otieno" not in _text(response)


def test_a_caseworker_resumes_triage_when_the_requester_never_answers(client, caseworker, hotline_grant):
    from grants.models import Grant
    from tests.helpers import login_verified

    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case_ask_requester(case=grant, by=caseworker, question="Are you safe?")
    login_verified(client, caseworker)
    page = client.get(f"/cases/{grant.reference}/").content.decode()
    assert "Resume triage without an answer" in page
    assert client.post(f"/cases/{grant.reference}/resume-triage/").status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == "triage"
    assert client.post(f"/cases/{grant.reference}/resume-triage/").status_code == 302  # a repeat changes nothing
    assert Grant.objects.get(pk=grant.pk).status == "triage"
