"""The case page built for work (issue 9, item 10): each action is one form with sensible defaults;
the checklist and "send for review" are one step; above the threshold the first approval names its
co-signer, with one event per approval; money is said in plain words, and a payment sent twice says
it changed nothing. Through the pages, as each person, and through the services."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from grants import services
from grants.models import Approval, Disbursement, Grant
from protect.audit.models import AuditEvent
from protect.cases.services.routing import case_route
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today().isoformat()
CHECKLIST = {"hrd": "on", "risk": "on", "urgent": "on", "no_other_source": "on"}


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
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(content.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&").split())


def _flash(client, response) -> str:
    assert response.status_code == 302, _text(response)
    return _text(client.get(response["Location"]))


def _events(grant, prefix: str = "grants.") -> list[str]:
    """What was done to the case (reading the page is audited too, but changes nothing)."""
    return list(AuditEvent.objects.filter(target_id=str(grant.pk), action__startswith=prefix)
                .exclude(action__endswith=".viewed").order_by("pk").values_list("action", flat=True))


def _under_review(hotline_grant, caseworker, reviewer, amount_minor: int) -> Grant:
    grant = case_route(model=Grant, case_id=hotline_grant(amount_requested_minor=amount_minor).pk)
    services.grant_check_and_submit_for_review(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                               no_other_source=True, reviewer=reviewer)
    return services.grant_record_review(grant=Grant.objects.get(pk=grant.pk), by=reviewer, recommendation="approve",
                                        verification=["partner_asked"], note="")


# --- the checklist and "send for review" in one step -------------------------------------------


def test_the_checklist_and_send_for_review_are_one_form_and_one_post(as_user, caseworker, reviewer, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case = f"/cases/{grant.reference}/"
    cw = as_user(caseworker)
    page = cw.get(case).content.decode()
    form = re.search(rf'<form method="post" action="{case}send-for-review/".*?</form>', page, re.S).group(0)
    for field in ("hrd", "risk", "urgent", "no_other_source", "reviewer", "with_checklist"):
        assert f'name="{field}"' in form, field
    assert f'formaction="{case}eligibility/"' in form  # "save the checklist" alone, in the same form
    assert f'<form method="post" action="{case}eligibility/"' not in page  # no second checklist form
    # The only reviewer this caseworker may choose is chosen already.
    assert re.search(rf'<option value="{reviewer.pk}" selected>', form)

    response = cw.post(case + "send-for-review/", CHECKLIST | {"with_checklist": "1", "reviewer": reviewer.pk})
    assert "Checklist saved; sent for review." in _flash(cw, response)
    grant.refresh_from_db()
    assert grant.status == "under_review" and grant.reviewer == reviewer and grant.prepared_by == caseworker
    assert grant.eligible_hrd and grant.eligible_risk and grant.eligible_urgent and grant.eligible_no_other_source
    events = _events(grant)
    assert events.count("grants.grant.eligibility_checked") == 1 and events.count("grants.grant.submit_for_review") == 1

    # A double click changes nothing the second time.
    again = cw.post(case + "send-for-review/", CHECKLIST | {"with_checklist": "1", "reviewer": reviewer.pk})
    assert again.status_code == 302
    assert _events(grant) == events


def test_an_incomplete_checklist_sent_for_review_saves_nothing(as_user, caseworker, reviewer, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case = f"/cases/{grant.reference}/"
    cw = as_user(caseworker)
    before = _events(grant)
    response = cw.post(case + "send-for-review/", {"hrd": "on", "risk": "on", "with_checklist": "1",
                                                    "reviewer": reviewer.pk})
    assert response.status_code == 409
    text = _text(response)
    assert "Complete the eligibility checklist first: the need is urgent; no other source can cover it." in text
    grant.refresh_from_db()
    assert grant.status == "triage" and not grant.eligible_hrd and grant.reviewer is None  # all or nothing
    assert _events(grant) == before
    # The form comes back as it was typed.
    assert re.search(r'name="hrd"[^>]*checked', response.content.decode())


def test_the_checklist_can_still_be_saved_alone(as_user, caseworker, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    cw = as_user(caseworker)
    response = cw.post(f"/cases/{grant.reference}/eligibility/", {"hrd": "on", "reviewer": ""})
    assert "Eligibility checklist saved." in _flash(cw, response)
    grant.refresh_from_db()
    assert grant.eligible_hrd and not grant.eligible_risk and grant.status == "triage"


# --- approval above the threshold: the co-signer is named in the same approval ----------------------


def test_above_the_threshold_the_first_approval_names_the_co_signer_in_one_event(
    as_user, caseworker, reviewer, approver, hotline_grant,
):
    grant = _under_review(hotline_grant, caseworker, reviewer, 700_000)
    case = f"/cases/{grant.reference}/"
    rv = as_user(reviewer)
    page = rv.get(case).content.decode()
    assert 'name="second_approver"' in page and 'name="amount" value="7000' in page  # prefilled: the request

    # Without a co-signer: refused, beside the field, and nothing changed.
    before = _events(grant)
    response = rv.post(case + "approve/", {"amount": "7000"})
    assert response.status_code == 400
    assert "Above EUR 5,000 a second approver co-signs: name them in this approval." in _text(response)
    assert Approval.objects.filter(grant=grant).count() == 0 and _events(grant) == before

    response = rv.post(case + "approve/", {"amount": "7000", "second_approver": approver.pk})
    assert "Approval recorded." in _flash(rv, response)
    grant.refresh_from_db()
    assert grant.status == "under_review" and grant.second_approver == approver
    new = _events(grant)[len(before):]
    assert new == ["grants.grant.approval_recorded"]  # one event says the approval and the co-signer
    event = AuditEvent.objects.filter(target_id=str(grant.pk), action="grants.grant.approval_recorded").get()
    assert event.data["second_approver_id"] == approver.pk and event.data["amount_minor"] == 700_000
    assert rv.post(case + "approve/", {"amount": "7000", "second_approver": approver.pk}).status_code == 302
    assert _events(grant)[len(before):] == new  # a double click: nothing more

    # The co-signer's form: the amount to agree on is filled in, and no co-signer to name.
    cosigner = as_user(approver)
    page = cosigner.get(case).content.decode()
    assert 'name="amount" value="7000' in page and 'name="second_approver"' not in page
    assert f"{reviewer} approved EUR 7,000.00: co-sign the same amount." in _text(cosigner.get(case))
    assert "Approval recorded." in _flash(cosigner, cosigner.post(case + "approve/", {"amount": "7000"}))
    grant.refresh_from_db()
    assert grant.status == "approved" and grant.approved_amount_minor == 700_000
    assert _events(grant)[len(before):] == ["grants.grant.approval_recorded", "grants.grant.approve"]
    timeline = _text(cosigner.get(case)).split("Timeline", 1)[1]
    assert timeline.count("approved; a second approval is still needed") == 1
    assert timeline.count("approved the grant") == 1


def test_an_amount_typed_above_the_threshold_asks_for_the_co_signer_on_the_same_form(
    as_user, caseworker, reviewer, approver, hotline_grant,
):
    grant = _under_review(hotline_grant, caseworker, reviewer, 300_000)
    case = f"/cases/{grant.reference}/"
    rv = as_user(reviewer)
    assert 'name="second_approver"' not in rv.get(case).content.decode()  # EUR 3,000 needs one approval
    response = rv.post(case + "approve/", {"amount": "6000"})
    assert response.status_code == 400 and 'name="second_approver"' in response.content.decode()
    assert Approval.objects.filter(grant=grant).count() == 0
    response = rv.post(case + "approve/", {"amount": "6000", "second_approver": approver.pk})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.second_approver == approver and grant.status == "under_review"


def test_an_approval_recorded_without_a_co_signer_before_the_rule_names_one_without_approving_twice(
    as_user, caseworker, reviewer, approver, hotline_grant,
):
    grant = _under_review(hotline_grant, caseworker, reviewer, 700_000)
    Approval.objects.create(grant=grant, approver=reviewer, amount_minor=700_000)  # as recorded before the rule
    case = f"/cases/{grant.reference}/"
    rv = as_user(reviewer)
    assert "No second approver named yet." in _text(rv.get(case))
    before = _events(grant)
    assert rv.post(case + "approve/", {"amount": "7000", "second_approver": approver.pk}).status_code == 302
    grant.refresh_from_db()
    assert grant.second_approver == approver and grant.approvals.count() == 1
    assert _events(grant)[len(before):] == ["grants.grant.second_approver_assigned"]


# --- payments: defaults and plain words ----------------------------------------------------------


def test_the_payment_form_offers_what_is_left_and_says_a_repeat_changed_nothing(as_user, finance, grant_in):
    grant = grant_in("approved")  # EUR 3,000 approved
    case = f"/cases/{grant.reference}/"
    fi = as_user(finance)
    page = fi.get(case).content.decode()
    assert 'name="amount" value="3000' in page and f'name="paid_on" value="{TODAY}"' in page

    payment = {"payment_reference": "BANK-77", "amount": "1000", "payee_kind": "defender", "payee_details": "",
               "paid_on": TODAY}
    assert "Payment recorded." in _flash(fi, fi.post(case + "pay/", payment))
    assert 'name="amount" value="2000' in fi.get(case).content.decode()  # the rest, next time
    events = _events(grant)
    text = _flash(fi, fi.post(case + "pay/", payment))
    assert "This payment is already recorded: nothing changed." in text and "Payment recorded." not in text
    assert Disbursement.objects.filter(grant=grant).count() == 1 and _events(grant) == events

    response = fi.post(case + "pay/", payment | {"payment_reference": "BANK-78", "amount": "2500"})
    text = _text(response)
    assert response.status_code == 400
    assert "This payment would exceed the approved amount: EUR 2,000.00 is left to pay. Nothing changed." in text
    assert "minor" not in text

    response = fi.post(case + "pay/", payment | {"amount": "500"})  # the same reference, another payment
    assert response.status_code == 409
    assert "already recorded for another payment: nothing changed." in _text(response)
    assert Disbursement.objects.filter(grant=grant).count() == 1 and _events(grant) == events


def test_no_message_a_grant_service_can_give_speaks_of_minor_units():
    from pathlib import Path

    import grants

    for path in Path(grants.__file__).parent.glob("services/*.py"):
        for message in re.findall(r'(?:Error|Conflict)\(\s*f?"([^"]*)"', path.read_text()):
            assert "minor" not in message, (path.name, message)
