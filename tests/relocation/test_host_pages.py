"""Coordinators manage host institutions in the staff pages: list, add, edit; bad input is refused
with the reason and changes nothing; nobody else reaches the pages."""

from __future__ import annotations

import datetime

import pytest

from protect.accounts.roles import Role
from relocation.models import HostInstitution
from tests.helpers import login_verified, make_user

pytestmark = pytest.mark.django_db


def form(**overrides):
    values = {"organisation": "Casa Refugio", "city": "Mexico City", "country": "mx", "languages": "es, en",
              "places": "2", "family_places": "3", "offers": ["housing", "language_courses"],
              "accessibility": "Lift to every floor.", "availability": "2031-01-01 2031-12-31\n2032-03-01 2032-06-30",
              "is_active": "on"}
    return values | overrides


def test_a_coordinator_adds_a_host_with_windows_and_contact_persons(client, coordinator, host):
    login_verified(client, coordinator)
    assert client.get("/relocations/hosts/new/").status_code == 200
    response = client.post("/relocations/hosts/new/", form(contacts=[host.pk]))
    assert response["Location"] == "/relocations/hosts/"
    added = HostInstitution.objects.get()
    assert (added.country, added.languages, added.places, added.family_places) == ("MX", ["en", "es"], 2, 3)
    assert list(added.contacts.all()) == [host]
    assert [(w.starts_on, w.ends_on) for w in added.availability.all()] == [
        (datetime.date(2031, 1, 1), datetime.date(2031, 12, 31)), (datetime.date(2032, 3, 1), datetime.date(2032, 6, 30))]
    listing = client.get("/relocations/hosts/").content.decode()
    assert "Casa Refugio" in listing and "2032-03-01" in listing and "university" in listing


def test_a_coordinator_edits_a_host_and_can_retire_it(client, coordinator, host_of):
    existing = host_of(availability=[(datetime.date(2031, 1, 1), datetime.date(2031, 6, 30))])
    login_verified(client, coordinator)
    page = client.get(f"/relocations/hosts/{existing.pk}/").content.decode()
    assert "University of Ghent" in page and "2031-01-01 2031-06-30" in page
    response = client.post(f"/relocations/hosts/{existing.pk}/", form(is_active="", places="1"))
    assert response["Location"] == "/relocations/hosts/"
    existing.refresh_from_db()
    assert (existing.organisation, existing.places, existing.is_active) == ("Casa Refugio", 1, False)
    assert existing.availability.count() == 2


@pytest.mark.parametrize(("bad", "message"), [
    ({"availability": "2031-12-31 2031-01-01"}, "An availability window cannot end before it starts."),
    ({"availability": "next spring"}, "write a window as two dates"),
    ({"languages": "english"}, "Choose languages from the list."),
    ({"places": "0"}, "greater than or equal to 1"),
])
def test_bad_input_is_refused_with_the_reason_and_changes_nothing(client, coordinator, bad, message):
    login_verified(client, coordinator)
    response = client.post("/relocations/hosts/new/", form(**bad))
    assert response.status_code in (400, 409) and message in response.content.decode()
    assert not HostInstitution.objects.exists()


def test_a_contact_person_must_hold_the_host_role(client, coordinator, caseworker):
    login_verified(client, coordinator)
    response = client.post("/relocations/hosts/new/", form(contacts=[caseworker.pk]))
    assert response.status_code == 400  # not offered: only host accounts are choices
    assert not HostInstitution.objects.exists()


@pytest.mark.parametrize("role", ["caseworker", "reviewer", "finance", "donor", "partner", "host"])
def test_only_coordinators_manage_hosts(client, request, role, host_of):
    existing = host_of()
    login_verified(client, request.getfixturevalue(role))
    assert client.get("/relocations/hosts/").status_code == 403
    assert client.post("/relocations/hosts/new/", form()).status_code == 403
    assert client.post(f"/relocations/hosts/{existing.pk}/", form()).status_code == 403
    assert HostInstitution.objects.get().organisation == "University of Ghent"


def test_the_host_list_reads_a_fixed_number_of_queries(client, coordinator, host_of, django_assert_max_num_queries):
    for number in range(5):
        host_of(organisation=f"Host {number}", contacts=[make_user(f"h{number}", Role.HOST)],
                availability=[(datetime.date(2031, 1, 1), datetime.date(2031, 12, 31))])
    login_verified(client, coordinator)
    client.get("/relocations/hosts/")
    with django_assert_max_num_queries(12):  # session, user, roles, 2FA device, hosts, windows, contacts, menu
        client.get("/relocations/hosts/")
