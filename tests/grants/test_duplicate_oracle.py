"""The case page's duplicate check is no oracle across teams: a caseworker sees a matching
defender only if they may see that defender; otherwise the page says one is held elsewhere, and a
coordinator is told once per pair, by references only."""

from __future__ import annotations

import pytest

from grants.models import Grant
from protect.cases.services.routing import case_route
from protect.defenders.services import defender_create, defender_grant_access
from protect.delivery.models import Delivery
from tests.grants.conftest import DEFENDER
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

ELSEWHERE = "A possible duplicate of this defender is held elsewhere"


@pytest.fixture
def mena_defender(caseworker_other_team, coordinator):
    """The same person, already recorded by the MENA desk (same name, country and phone)."""
    coordinator.email = "elif@protect.example"
    coordinator.save(update_fields=["email"])
    return defender_create(by=caseworker_other_team, pseudonym="Heron", legal_name="Achieng Otieno", country="KE",
                           contacts={"phone": "+254 711 000 111"})


@pytest.fixture
def africa_grant(hotline_grant):
    grant = hotline_grant()
    return case_route(model=Grant, case_id=grant.pk)


def test_a_caseworker_never_learns_which_defender_another_team_holds(client, caseworker, coordinator,
                                                                     africa_grant, mena_defender):
    login_verified(client, caseworker)
    page = client.get(f"/cases/{africa_grant.reference}/").content.decode()
    assert mena_defender.reference not in page and "Heron" not in page
    assert ELSEWHERE in page
    [told] = Delivery.objects.filter(key__startswith="defenders.duplicate_elsewhere:")
    assert told.recipient == coordinator.email
    assert mena_defender.reference in told.body and africa_grant.defender.reference in told.body
    assert "Achieng" not in told.body + told.subject and "Heron" not in told.body + told.subject
    assert "Kestrel" not in told.body + told.subject
    client.get(f"/cases/{africa_grant.reference}/")
    assert Delivery.objects.filter(key__startswith="defenders.duplicate_elsewhere:").count() == 1  # once per pair


def test_a_match_the_user_may_see_is_shown(client, caseworker, coordinator, africa_grant, mena_defender):
    defender_grant_access(defender=mena_defender, by=coordinator, user=caseworker)
    login_verified(client, caseworker)
    page = client.get(f"/cases/{africa_grant.reference}/").content.decode()
    assert mena_defender.reference in page and "Heron" in page and ELSEWHERE not in page
    assert not Delivery.objects.filter(key__startswith="defenders.duplicate_elsewhere:").exists()


def test_a_coordinator_sees_every_match(client, coordinator, africa_grant, mena_defender):
    login_verified(client, coordinator)
    page = client.get(f"/cases/{africa_grant.reference}/").content.decode()
    assert mena_defender.reference in page and ELSEWHERE not in page


def test_no_match_says_none_found(client, caseworker, hotline_grant):
    grant = case_route(model=Grant, case_id=hotline_grant(**{}).pk)
    login_verified(client, caseworker)
    page = client.get(f"/cases/{grant.reference}/").content.decode()
    assert "None found." in page and DEFENDER["pseudonym"] in page
