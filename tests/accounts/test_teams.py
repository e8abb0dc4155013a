"""Teams: regional desks with languages; made and staffed by coordinators, every change audited."""

from __future__ import annotations

import pytest

from protect.accounts import services
from protect.accounts.models import Region, Team
from protect.accounts.selectors import teams_visible_to
from protect.core.errors import InvalidInput, PermissionDenied


@pytest.mark.django_db
def test_a_coordinator_creates_a_team_and_staffs_it(coordinator, caseworker, audit_actions):
    team = services.team_create(name="Africa desk", region=Region.AFRICA, languages=["fr", "en"],
                                coordinator=coordinator, by=coordinator)
    services.team_add_member(team=team, user=caseworker, by=coordinator)
    services.team_add_member(team=team, user=caseworker, by=coordinator)  # twice: no change
    assert list(team.members.all()) == [caseworker]
    assert team.languages == ["en", "fr"]
    services.team_remove_member(team=team, user=caseworker, by=coordinator)
    assert not team.members.exists()
    assert audit_actions("accounts.team") == [
        "accounts.team.created", "accounts.team.member_added", "accounts.team.member_removed"]


@pytest.mark.django_db
@pytest.mark.parametrize(("region", "languages"), [("atlantis", ["en"]), (Region.MENA, ["de"]),
                                                   (Region.MENA, "ar")])
def test_unknown_regions_and_languages_are_refused(coordinator, region, languages):
    with pytest.raises(InvalidInput):
        services.team_create(name="Desk", region=region, languages=languages, by=coordinator)
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_only_coordinators_manage_teams(caseworker, coordinator):
    with pytest.raises(PermissionDenied):
        services.team_create(name="Desk", region=Region.MENA, languages=["ar"], by=caseworker)
    team = services.team_create(name="Desk", region=Region.MENA, languages=["ar"], by=coordinator)
    with pytest.raises(PermissionDenied):
        services.team_add_member(team=team, user=caseworker, by=caseworker)


@pytest.mark.django_db
def test_teams_are_found_by_language(coordinator):
    services.team_create(name="MENA", region=Region.MENA, languages=["ar", "fr"], by=coordinator)
    services.team_create(name="Americas", region=Region.AMERICAS, languages=["es", "en"], by=coordinator)
    assert [t.name for t in Team.objects.speaking("fr")] == ["MENA"]
    assert [t.name for t in Team.objects.speaking("es")] == ["Americas"]
    assert not Team.objects.speaking("ru").exists()


@pytest.mark.django_db
def test_staff_see_their_own_teams_and_coordinators_all(coordinator, caseworker, reviewer):
    mine = services.team_create(name="Mine", region=Region.MENA, languages=["ar"], by=coordinator)
    services.team_create(name="Other", region=Region.AFRICA, languages=["fr"], by=coordinator)
    services.team_add_member(team=mine, user=caseworker, by=coordinator)
    assert [t.name for t in teams_visible_to(viewer=caseworker)] == ["Mine"]
    assert [t.name for t in teams_visible_to(viewer=coordinator)] == ["Mine", "Other"]
    assert list(teams_visible_to(viewer=reviewer)) == []


@pytest.mark.django_db
def test_teams_are_edited_in_the_admin_through_the_services(client, coordinator, caseworker, audit_actions):
    from tests.helpers import login_verified

    login_verified(client, coordinator)
    response = client.post("/admin/accounts/team/add/", {
        "name": "Europe desk", "region": "europe_central_asia", "languages": ["ru", "en"],
        "coordinator": coordinator.pk, "members": [caseworker.pk],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(name="Europe desk")
    assert team.languages == ["en", "ru"] and list(team.members.all()) == [caseworker]
    assert audit_actions("accounts.team") == ["accounts.team.created", "accounts.team.member_added"]
