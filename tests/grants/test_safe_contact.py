"""Safe contact first: what the requester said about reaching them safely (safe hours, code word,
what never to say), their region or city and their work head the case page's contact section and
sit beside the question form. They are decrypted only inside the audited page view (named in its
event, never their values) and never shown to finance."""

from __future__ import annotations

import pytest

from grants.services import grant_record_hotline
from protect.audit.models import AuditEvent
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

NOTES = "Only after 6 pm. Code word: the bakery. Never mention the trial."
SAFE_FIELDS = ("defenders.defender.secure_channels", "defenders.defender.location")


@pytest.fixture
def hotline_grant(db, caseworker, team_africa):
    """The grants fixture of the same name, for a defender who told us how to reach them safely."""
    def make(**overrides):
        defender = DEFENDER | {"secure_channels": {"preferred": "signal", "notes": NOTES}, "location": "Kisumu"}
        grant, _ = grant_record_hotline(by=caseworker, defender_data=defender, details=details(**overrides))
        return grant

    return make


def _last_view(grant):
    return AuditEvent.objects.filter(action="grants.grant.viewed", target_id=str(grant.pk)).order_by("seq").last()


@pytest.mark.parametrize(("role", "state"), [
    ("caseworker", "triage"), ("caseworker", "info_requested"), ("reviewer", "under_review"),
    ("coordinator", "triage"),
])
def test_those_who_handle_the_case_see_safe_contact_first_and_the_view_names_it(
    request, client, grant_in, role, state
):
    grant = grant_in(state)
    login_verified(client, request.getfixturevalue(role))

    page = client.get(f"/cases/{grant.reference}/").content.decode()

    contact = page.index('id="contact-h"')
    assert page.index(NOTES, contact) < page.index('id="confidential"')  # at the top of the contact section
    assert "Kisumu" in page and "Signal" in page and "Land and environment defender" in page
    assert "+254700000001" not in page  # the contact details themselves wait for the audited reveal
    event = _last_view(grant)
    assert set(SAFE_FIELDS) <= set(event.data["decrypted"])
    assert "bakery" not in str(event.data) and "Kisumu" not in str(event.data)


def test_the_reveal_shows_every_contact_detail_under_the_safe_contact_notes(client, caseworker, grant_in):
    grant = grant_in("triage")
    login_verified(client, caseworker)

    page = client.post(f"/cases/{grant.reference}/reveal/").content.decode()

    contact = page.index('id="contact-h"')
    assert contact < page.index(NOTES, contact) < page.index("+254700000001") < page.index('id="confidential"')
    revealed = AuditEvent.objects.get(action="grants.grant.revealed", target_id=str(grant.pk))
    assert set(SAFE_FIELDS) <= set(revealed.data["decrypted"])


def test_the_safe_contact_notes_stand_beside_the_question_form(client, caseworker, grant_in):
    grant = grant_in("triage")
    login_verified(client, caseworker)

    page = client.get(f"/cases/{grant.reference}/").content.decode()

    messages = page.index('id="messages-h"')
    assert messages < page.index(NOTES, messages) < page.index(f'action="/cases/{grant.reference}/ask/"')


def test_a_refused_question_re_renders_the_notes_beside_the_form(client, caseworker, grant_in):
    grant = grant_in("triage")
    login_verified(client, caseworker)

    response = client.post(f"/cases/{grant.reference}/ask/", {"question": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count(NOTES) == 2  # the contact section and beside the form
    assert set(SAFE_FIELDS) <= set(_last_view(grant).data["decrypted"])


@pytest.mark.parametrize("state", ["approved", "reporting"])
def test_finance_never_sees_nor_decrypts_safe_contact(client, finance, grant_in, state):
    grant = grant_in(state)
    login_verified(client, finance)

    page = client.get(f"/cases/{grant.reference}/").content.decode()

    assert NOTES not in page and "Kisumu" not in page and 'id="contact-h"' not in page
    view = _last_view(grant)  # a view that decrypted nothing records nothing
    assert view is None or not set(SAFE_FIELDS) & set(view.data["decrypted"])


def test_an_outsider_gets_nothing(client, outsider, grant_in):
    grant = grant_in("triage")
    login_verified(client, outsider)

    response = client.get(f"/cases/{grant.reference}/")

    assert response.status_code in (403, 404) and NOTES not in response.content.decode()
