"""Every view of decrypted case content is audited: one `grants.grant.viewed` event per page view,
naming the fields the page decrypted (never their values); "Show confidential details" is one
`revealed` event, not two. The timeline leaves page views out; the audit log keeps them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants.models import Grant
from protect.audit.models import AuditEvent
from protect.cases.services.casefile import case_add_note, case_ask_requester, case_attach_file, case_requester_reply
from protect.cases.services.routing import case_route
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _views(grant, action="grants.grant.viewed"):
    return list(AuditEvent.objects.filter(action=action, target_id=str(grant.pk)).order_by("seq"))


@pytest.fixture
def grant_with_file(hotline_grant, caseworker):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    case_ask_requester(case=grant, by=caseworker, question="Which phone was seized?")
    case_requester_reply(case=grant, body="The one with the contacts.")
    case_add_note(case=grant, by=caseworker, body="Called the lawyer.")
    case_attach_file(case=grant, by=caseworker, kind="document",
                     uploaded_file=SimpleUploadedFile("summons-nairobi.txt", b"Summons"))
    return grant


def test_opening_a_case_page_records_one_view_naming_what_was_decrypted(client, caseworker, grant_with_file):
    login_verified(client, caseworker)
    page = client.get(f"/cases/{grant_with_file.reference}/").content.decode()
    assert "The one with the contacts." in page and "Called the lawyer." in page and "summons-nairobi" in page
    [event] = _views(grant_with_file)
    assert event.actor == caseworker
    decrypted = event.data["decrypted"]
    for field in ("grants.message.body", "grants.note.body", "crypto.encryptedfile.original_name"):
        assert field in decrypted
    assert "defenders.defender.legal_name" not in decrypted  # not shown without the audited reveal
    assert "lawyer" not in str(event.data) and "summons" not in str(event.data)  # names, not values
    client.get(f"/cases/{grant_with_file.reference}/")
    assert len(_views(grant_with_file)) == 2  # one event per page view


def test_the_reveal_is_one_event_and_page_views_stay_out_of_the_timeline(client, caseworker, grant_with_file):
    login_verified(client, caseworker)
    client.post(f"/cases/{grant_with_file.reference}/reveal/")
    [reveal] = _views(grant_with_file, "grants.grant.revealed")
    assert "incident" in reveal.data["fields"] and "grants.grant.incident" in reveal.data["decrypted"]
    assert _views(grant_with_file) == []
    response = client.get(f"/cases/{grant_with_file.reference}/")
    assert len(_views(grant_with_file)) == 1
    assert all(not event.action.endswith(".viewed") for event, _text in response.context["timeline"])


def test_a_refused_action_re_rendering_the_page_is_a_view_too(client, caseworker, grant_with_file):
    login_verified(client, caseworker)
    response = client.post(f"/cases/{grant_with_file.reference}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert len(_views(grant_with_file)) == 1


def test_finance_reading_payment_details_is_recorded(client, finance, grant_in):
    grant = grant_in("reporting")
    login_verified(client, finance)
    page = client.get(f"/cases/{grant.reference}/").content.decode()
    assert "Account 12-345" in page
    [event] = _views(grant)
    assert "grants.disbursement.payee_details" in event.data["decrypted"]
    assert "grants.grant.incident" not in event.data["decrypted"]
