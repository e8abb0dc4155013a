"""Who sees which defender: coordinators all, others through guardian's direct object permissions;
one query for a whole page, encrypted fields included."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory

from protect.core.errors import NotFound
from protect.defenders.admin import DefenderAdmin
from protect.defenders.models import Defender, DefenderGroupObjectPermission, DefenderUserObjectPermission
from protect.defenders.selectors import defender_get_visible, defenders_visible_to
from protect.defenders.services import defender_create, defender_erase, defender_grant_access
from tests.defenders.factories import DefenderFactory


@pytest.fixture
def three(coordinator):
    return [defender_create(by=coordinator, pseudonym=f"P{n}", legal_name=f"Name {n}", country="BD") for n in range(3)]


@pytest.mark.django_db
def test_a_coordinator_sees_every_defender(coordinator, three):
    assert set(defenders_visible_to(coordinator)) == set(three)


@pytest.mark.django_db
def test_a_caseworker_sees_only_the_defenders_given_to_them_or_to_their_team(coordinator, caseworker, three):
    assert not defenders_visible_to(caseworker).exists()
    defender_grant_access(defender=three[0], by=coordinator, user=caseworker)
    team = Group.objects.create(name="team-asia")
    caseworker.groups.add(team)
    defender_grant_access(defender=three[1], by=coordinator, group=team)
    assert set(defenders_visible_to(caseworker)) == {three[0], three[1]}
    assert DefenderUserObjectPermission.objects.filter(content_object=three[0]).exists()  # direct FK tables
    assert DefenderGroupObjectPermission.objects.filter(content_object=three[1]).exists()


@pytest.mark.django_db
def test_an_outsider_and_an_anonymous_visitor_see_nothing(outsider, three):
    from django.contrib.auth.models import AnonymousUser

    assert not defenders_visible_to(outsider).exists()
    assert not defenders_visible_to(AnonymousUser()).exists()
    with pytest.raises(NotFound):
        defender_get_visible(user=outsider, reference=three[0].reference)


@pytest.mark.django_db
def test_erased_defenders_are_left_out_unless_asked_for(coordinator, three):
    defender_erase(defender=three[0], by=coordinator, reason="Asked")
    assert three[0] not in defenders_visible_to(coordinator)
    assert three[0] in defenders_visible_to(coordinator, include_erased=True)


@pytest.mark.django_db
def test_a_page_of_defenders_with_their_decrypted_names_is_one_query(caseworker, coordinator,
                                                                      django_assert_num_queries):
    defenders = DefenderFactory.create_batch(20)
    for defender in defenders:
        defender_grant_access(defender=defender, by=coordinator, user=caseworker)
    # 1: the user's roles (cached on the user for the rest of the request);
    # 2: the page: defenders joined with their data keys, scoped by EXISTS on the permission tables.
    # Decrypting the names and contacts adds no query.
    with django_assert_num_queries(2):
        names = [(d.reference, d.legal_name, d.contacts.get("phone")) for d in defenders_visible_to(caseworker)]
    assert len(names) == 20 and all(name for _, name, _ in names)


@pytest.mark.django_db
def test_the_admin_is_for_coordinators_and_shows_no_encrypted_field(coordinator, caseworker):
    model_admin = DefenderAdmin(Defender, admin_site=None)  # type: ignore[arg-type]
    request = RequestFactory().get("/admin/defenders/defender/")
    request.user = coordinator
    assert model_admin.has_view_permission(request) and not model_admin.has_change_permission(request)
    request.user = caseworker
    assert not model_admin.has_module_permission(request) and not model_admin.has_view_permission(request)
    encrypted = {"legal_name", "aliases", "contacts", "secure_channels", "location", "risk_notes", "date_of_birth"}
    assert not encrypted & (set(model_admin.list_display) | set(model_admin.fields))
