"""The host portal, from the outside as each person: the caseworker asks a host, the host answers,
confirms arrival and departure, reports a concern; a host sees only its own, and never the story."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protect.accounts.roles import Role
from protect.audit.models import AuditEvent
from protect.core.errors import PermissionDenied
from protect.defenders.services import defender_erase
from protect.delivery.models import Delivery
from protect.workflow import WorkflowError
from relocation.models import HostConcern, HostRequest, Relocation
from relocation.services import host_accept, relocation_ask_host, relocation_set_matching
from tests.helpers import login_verified, make_user
from tests.relocation.conftest import END, START

pytestmark = pytest.mark.django_db
STORY = "Followed and threatened"  # the risk narrative of the fixtures' application


@pytest.fixture
def university(host_of, host):
    """The host institution the `host` user speaks for: room for a family of three."""
    return host_of(organisation="University of Ghent", family_places=2, contacts=[host])


def ask(client, relocation, host_institution, *, starts_on=START, ends_on=END, needs="Ground floor room."):
    return client.post(f"/relocations/{relocation.reference}/ask-host/", {
        "host": host_institution.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
        "practical_needs": needs})


def test_the_host_accepts_in_its_portal_confirms_arrival_and_departure(client, relocation_in, caseworker, host,
                                                                       university):
    relocation = relocation_in("host_matching")  # the defender and two family members
    login_verified(client, caseworker)
    assert ask(client, relocation, university)["Location"] == f"/relocations/{relocation.reference}/"
    assert "Waiting for" in client.get(f"/relocations/{relocation.reference}/").content.decode()

    login_verified(client, host)
    portal = client.get("/host/").content.decode()
    assert relocation.reference in portal and "your answer is awaited" in portal
    page = client.get(f"/host/{relocation.reference}/").content.decode()
    assert "Swift" in page and "2031-03-01" in page and "3 people" in page and "Ground floor room." in page
    url = f"/host/{relocation.reference}/"
    assert client.post(url + "accept/")["Location"] == url
    relocation = Relocation.objects.get(pk=relocation.pk)
    assert (relocation.status, relocation.host, relocation.starts_on, relocation.ends_on) == (
        "preparing", university, START, END)
    assert HostRequest.objects.get(relocation=relocation).outcome == "accepted"
    assert client.post(url + "accept/")["Location"] == url  # a double click changes nothing
    assert AuditEvent.objects.filter(action="relocation.relocation.match").count() == 1

    assert client.post(url + "arrival/")["Location"] == url
    assert Relocation.objects.get(pk=relocation.pk).status == "in_residence"
    assert client.post(url + "departure/")["Location"] == url
    assert Relocation.objects.get(pk=relocation.pk).status == "ended"
    assert relocation.reference in client.get("/host/").content.decode()  # its past stays stay listed


def test_a_new_host_user_sees_nothing_of_the_narrative_or_of_other_relocations(client, relocation_in, caseworker,
                                                                               host_of):
    newcomer = make_user("newhost", Role.HOST)
    theirs = host_of(organisation="City shelter", contacts=[newcomer])
    asked, other, hosted_elsewhere = (relocation_in("host_matching"), relocation_in("host_matching"),
                                      relocation_in("in_residence"))
    relocation_ask_host(relocation=asked, by=caseworker, host=theirs, starts_on=START, ends_on=END,
                        practical_needs="Step-free access.")
    login_verified(client, newcomer)
    pages = [client.get("/host/").content.decode(), client.get(f"/host/{asked.reference}/").content.decode()]
    for html in pages:
        assert asked.reference in html
        assert other.reference not in html and hosted_elsewhere.reference not in html
        for secret in (STORY, "Leila Mansour", "+254700000009", "Needs a job search", "Eligible; urgent.",
                       "University of Ghent", "Humanitarian visa"):
            assert secret not in html
    for reference in (other.reference, hosted_elsewhere.reference, "R-NOSUCH"):
        assert client.get(f"/host/{reference}/").status_code == 404
        for action in ("accept", "decline", "arrival", "departure", "concern"):
            assert client.post(f"/host/{reference}/{action}/", {"body": "x"}).status_code == 404
    assert Relocation.objects.get(pk=hosted_elsewhere.pk).status == "in_residence"
    for staff_page in ("/relocations/", f"/relocations/{asked.reference}/", "/cases/", "/relocations/hosts/"):
        assert client.get(staff_page).status_code == 403


def test_a_host_with_no_institution_sees_an_empty_portal(client, relocation_in, host):
    relocation = relocation_in("in_residence")
    login_verified(client, host)
    html = client.get("/host/").content.decode()
    assert "Nothing for your institution" in html and relocation.reference not in html
    assert client.get(f"/host/{relocation.reference}/").status_code == 404


def test_a_host_acting_through_the_services_on_a_relocation_it_does_not_host_is_refused(relocation_in, host,
                                                                                       university):
    relocation = relocation_in("host_matching")
    with pytest.raises(PermissionDenied):
        host_accept(relocation=relocation, by=host)
    assert Relocation.objects.get(pk=relocation.pk).status == "host_matching"


def test_the_host_declines_and_the_caseworker_asks_another(client, relocation_in, caseworker, host, university,
                                                           host_of):
    relocation = relocation_in("host_matching")
    login_verified(client, caseworker)
    ask(client, relocation, university)
    login_verified(client, host)
    assert client.post(f"/host/{relocation.reference}/decline/")["Location"] == "/host/"
    assert client.get(f"/host/{relocation.reference}/").status_code == 404  # no longer its business
    assert HostRequest.objects.get(relocation=relocation).outcome == "declined"
    assert Relocation.objects.get(pk=relocation.pk).status == "host_matching"
    login_verified(client, caseworker)
    assert "Declined" in client.get(f"/relocations/{relocation.reference}/").content.decode()
    assert ask(client, relocation, host_of(organisation="Tunis NGO", country="TN")).status_code == 302
    assert HostRequest.objects.filter(relocation=relocation, outcome="pending").count() == 1


def test_a_family_larger_than_the_hosts_family_places_is_refused_when_asking(client, relocation_in, caseworker,
                                                                           host_of):
    relocation = relocation_in("host_matching")  # two family members
    login_verified(client, caseworker)
    response = ask(client, relocation, host_of(family_places=1))
    assert response.status_code == 409
    assert "The family (2 people) is larger than the host&#x27;s family places (1)." in response.content.decode()
    assert not HostRequest.objects.filter(relocation=relocation).exists()


def test_an_end_before_the_start_is_refused_when_asking(client, relocation_in, caseworker, university):
    relocation = relocation_in("host_matching")
    login_verified(client, caseworker)
    response = ask(client, relocation, university, starts_on=END, ends_on=START)
    assert response.status_code == 409 and "The stay cannot end before it starts." in response.content.decode()
    assert not HostRequest.objects.filter(relocation=relocation).exists()


def test_overlapping_stays_for_one_host_place_are_refused_to_the_second_acceptance(client, relocation_in,
                                                                                   caseworker, host, university):
    first, second = relocation_in("host_matching"), relocation_in("host_matching")
    for relocation in (first, second):  # both asked before either answer: the last place is decided at accept
        relocation_ask_host(relocation=relocation, by=caseworker, host=university, starts_on=START, ends_on=END)
    login_verified(client, host)
    assert client.post(f"/host/{first.reference}/accept/").status_code == 302
    response = client.post(f"/host/{second.reference}/accept/")
    assert response.status_code == 409
    assert "The host has no place free for these dates" in response.content.decode()
    assert Relocation.objects.get(pk=second.pk).status == "host_matching"
    assert HostRequest.objects.get(relocation=second).outcome == "pending"
    # Asking the full host for overlapping dates is refused up front.
    third = relocation_in("host_matching")
    with pytest.raises(WorkflowError, match="no place free"):
        relocation_ask_host(relocation=third, by=caseworker, host=university, starts_on=END - datetime.timedelta(1),
                            ends_on=END + datetime.timedelta(30))


def test_a_concern_from_the_host_alerts_the_caseworker(client, relocation_in, caseworker, host, university):
    caseworker.email = "amina@example.org"
    caseworker.save(update_fields=["email"])
    relocation = relocation_in("in_residence", host=university)
    login_verified(client, host)
    url = f"/host/{relocation.reference}/"
    assert client.post(url + "concern/", {"body": ""}).status_code == 400  # nothing typed: nothing sent
    assert client.post(url + "concern/", {"body": "He has not come back for two nights."})["Location"] == url
    concern = HostConcern.objects.get(relocation=relocation)
    delivery = Delivery.objects.get(key=f"relocation.host_concern:{concern.pk}")
    assert delivery.recipient == "amina@example.org" and "two nights" not in delivery.body

    login_verified(client, caseworker)
    assert "host concern" in client.get("/relocations/").content.decode()
    page = client.get(f"/relocations/{relocation.reference}/").content.decode()
    assert "He has not come back for two nights." in page
    handled = f"/relocations/{relocation.reference}/concerns/{concern.pk}/handled/"
    assert client.post(handled)["Location"] == f"/relocations/{relocation.reference}/"
    assert client.post(handled).status_code == 302  # twice: no change
    assert HostConcern.objects.get(pk=concern.pk).handled_by == caseworker
    assert "host concern" not in client.get("/relocations/").content.decode()


def test_the_host_portal_costs_the_same_for_one_and_many_stays(client, relocation_in, caseworker, host, university,
                                                              host_of):
    roomy = host_of(organisation="Roomy", places=10, family_places=5, contacts=[host])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/host/").status_code == 200
        return len(captured)

    relocation_ask_host(relocation=relocation_in("host_matching"), by=caseworker, host=university,
                        starts_on=START, ends_on=END, practical_needs="Needs one.")
    login_verified(client, host)
    few = queries()
    for _ in range(4):
        relocation_ask_host(relocation=relocation_in("host_matching"), by=caseworker, host=roomy, starts_on=START,
                            ends_on=END, practical_needs="Needs.")
    relocation_in("in_residence", host=roomy)
    assert queries() == few


def test_after_the_defender_is_erased_the_pages_open_without_the_shredded_details(client, relocation_in, caseworker,
                                                                                  coordinator, host, university):
    relocation = relocation_in("host_matching")
    relocation_set_matching(relocation=relocation, by=caseworker, wanted_from=START, wanted_until=END)
    relocation_ask_host(relocation=relocation, by=caseworker, host=university, starts_on=START, ends_on=END,
                        practical_needs="Ground floor room.")
    defender_erase(defender=relocation.defender, by=coordinator, reason="Asked by the defender.")
    login_verified(client, host)
    page = client.get(f"/host/{relocation.reference}/")
    assert page.status_code == 200 and "Ground floor room." not in page.content.decode()
    login_verified(client, caseworker)
    assert client.get(f"/relocations/{relocation.reference}/").status_code == 200
