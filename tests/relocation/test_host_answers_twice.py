"""A host's second answer to a question already closed (a double click on "Decline", a page left
open while the caseworker withdrew the request) gets a calm word on the portal, not a bare 404; a
host that was never asked still learns nothing, not even that the relocation exists."""

from __future__ import annotations

import re

import pytest

from protect.accounts.roles import Role
from protect.audit.models import AuditEvent
from relocation.models import HostRequest, Relocation
from relocation.services import relocation_ask_host, relocation_withdraw_host_request
from tests.helpers import login_verified, make_user
from tests.relocation.conftest import END, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(relocation_in, host_of, caseworker, host):
    """A relocation whose host (the `host` user's institution) is asked in its portal."""
    relocation = relocation_in("host_matching")
    university = host_of(organisation="University of Ghent", family_places=2, contacts=[host])
    relocation_ask_host(relocation=relocation, by=caseworker, host=university, starts_on=START, ends_on=END)
    return relocation


def same_page(response, reference: str) -> str:
    return re.sub(r'(nonce|value|content)="[^"]*"', "", response.content.decode().replace(reference, "R-…"))


def messages_on(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == "/host/"
    return client.get("/host/").content.decode()


def test_declining_twice_says_the_request_was_already_answered_and_changes_nothing(client, asked, host):
    login_verified(client, host)
    url = f"/host/{asked.reference}/decline/"
    assert "the caseworker will ask another host" in messages_on(client, client.post(url))

    again = messages_on(client, client.post(url))
    assert "This request was already answered: your institution declined it. Nothing changed." in again
    accept_after = messages_on(client, client.post(f"/host/{asked.reference}/accept/"))
    assert "already answered" in accept_after
    assert HostRequest.objects.get(relocation=asked).outcome == "declined"
    assert AuditEvent.objects.filter(action="relocation.relocation.host_declined").count() == 1
    assert Relocation.objects.get(pk=asked.pk).status == "host_matching"
    assert client.get(f"/host/{asked.reference}/").status_code == 404  # still no longer its business


def test_answering_a_request_the_caseworker_withdrew_says_so_and_changes_nothing(client, asked, caseworker, host):
    relocation_withdraw_host_request(relocation=asked, by=caseworker)
    login_verified(client, host)
    page = messages_on(client, client.post(f"/host/{asked.reference}/decline/"))
    assert "The caseworker withdrew this request: nothing changed." in page
    assert HostRequest.objects.get(relocation=asked).outcome == "withdrawn"
    assert Relocation.objects.get(pk=asked.pk).status == "host_matching"


def test_a_host_never_asked_still_gets_a_404_for_a_relocation_another_host_declined(client, asked, host, host_of):
    login_verified(client, host)
    messages_on(client, client.post(f"/host/{asked.reference}/decline/"))  # read: its word is not left pending
    stranger = make_user("otherhost", Role.HOST)
    host_of(organisation="City shelter", contacts=[stranger])
    login_verified(client, stranger)
    for action in ("decline", "accept"):
        declined_elsewhere = client.post(f"/host/{asked.reference}/{action}/")
        never_existed = client.post(f"/host/R-NOSUCH0000/{action}/")
        assert declined_elsewhere.status_code == never_existed.status_code == 404
        # The same answer, but for the address and the per-response tokens: nothing to tell them apart.
        assert same_page(declined_elsewhere, asked.reference) == same_page(never_existed, "R-NOSUCH0000")
