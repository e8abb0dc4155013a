"""Countries and regions: every country has a desk, the region follows the country, the select speaks the page's language."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_countries import countries as library_countries

from protect.accounts.models import Region
from protect.audit.models import AuditEvent
from protect.core.errors import InvalidInput
from protect.defenders.forms import CountryField, country_choices
from protect.defenders.regions import COUNTRIES, REGION_OF_COUNTRY, region_for_country
from protect.defenders.services import defender_create, defender_update


def test_every_country_django_countries_knows_maps_to_a_region():
    known = {country.code for country in library_countries}
    assert len(known) > 240
    assert known - set(REGION_OF_COUNTRY) == set()
    assert {country.code for country in COUNTRIES} == set(REGION_OF_COUNTRY) == known | {"XK"}
    assert set(REGION_OF_COUNTRY.values()) == set(Region)


@pytest.mark.parametrize(("code", "region"), [
    ("KE", Region.AFRICA), ("LB", Region.MENA), ("PE", Region.AMERICAS), ("BD", Region.ASIA_PACIFIC),
    ("BY", Region.EUROPE_CENTRAL_ASIA), ("XK", Region.EUROPE_CENTRAL_ASIA),
])
def test_region_for_country(code, region):
    assert region_for_country(code) is region


def test_an_unknown_code_has_no_region():
    with pytest.raises(KeyError):
        region_for_country("ZZ")


@pytest.mark.django_db
def test_the_region_follows_the_country_on_create_and_update(coordinator):
    defender = defender_create(by=coordinator, pseudonym="Condor", legal_name="María Quispe", country="pe")
    assert (defender.country, defender.region) == ("PE", "americas")

    moved = defender_update(defender=defender, by=coordinator, country="LB")
    moved.refresh_from_db()
    assert (moved.country, moved.region) == ("LB", "mena")
    event = AuditEvent.objects.filter(action="defenders.defender.updated").get()
    assert event.data == {"fields": ["country", "region"]}


@pytest.mark.django_db
def test_an_unknown_country_is_refused_on_the_country_alone(coordinator):
    with pytest.raises(InvalidInput) as caught:
        defender_create(by=coordinator, pseudonym="Condor", legal_name="María Quispe", country="ZZ")
    assert set(caught.value.errors) == {"country"} and caught.value.field == "country"


def test_the_country_select_names_and_sorts_in_the_active_language():
    with translation.override("ru"):
        names = [name for _code, name in country_choices()]
        assert names.index("Ангола") < names.index("Андорра")  # Russian order, not the English one
        assert dict(country_choices())["DE"] == "Германия"
    with translation.override("ar"):
        assert dict(country_choices())["LB"] == "لبنان"
    with translation.override("fr"):
        names = [name for _code, name in country_choices()]
        assert names.index("Allemagne") < names.index("Égypte") < names.index("Espagne")  # accents set aside
    with translation.override("en"):
        assert dict(country_choices())["XK"] == "Kosovo"


def test_the_country_field_is_a_select_that_cleans_to_the_iso_code():
    field = CountryField(label="Country")
    assert field.widget.__class__.__name__ == "Select"
    assert field.clean("KE") == "KE"
    with translation.override("ru"):
        assert dict(field.choices)["KE"] == "Кения"  # the labels follow the request's language
    for typed in ("ke", "Kenya", "ZZ"):
        with pytest.raises(ValidationError):
            field.clean(typed)
