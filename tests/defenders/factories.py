"""factory_boy factories for defenders: rows as the services would make them (keys, indexes)."""

from __future__ import annotations

import factory
from django.utils import timezone

from protect.crypto.blind import EMAIL, PHONE, blind_index_or_blank, name_country_index
from protect.defenders.models import ConsentMethod, ConsentPurpose, ConsentRecord, ContactPerson, Defender, Region


class DefenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Defender
        skip_postgeneration_save = True

    pseudonym = factory.Sequence(lambda n: f"Heron {n}")
    legal_name = factory.Faker("name")
    aliases = factory.LazyFunction(list)
    contacts = factory.Sequence(lambda n: {"phone": f"+254 700 {n:06d}", "email": f"person{n}@example.org"})
    location = factory.Faker("city")
    risk_notes = "Followed after a press conference."
    country = "KE"
    region = Region.AFRICA
    languages = factory.LazyFunction(lambda: ["en", "sw"])

    @factory.post_generation
    def indexes(obj: Defender, create: bool, extracted: object, **kwargs: object) -> None:
        obj.name_country_index = name_country_index(obj.legal_name, obj.country)
        obj.phone_index = blind_index_or_blank(PHONE, obj.contacts.get("phone", ""))
        obj.email_index = blind_index_or_blank(EMAIL, obj.contacts.get("email", ""))
        if create:
            obj.save(update_fields=["name_country_index", "phone_index", "email_index"])


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    defender = factory.SubFactory(DefenderFactory)
    name = factory.Faker("name")
    role = "Director"
    contacts = factory.LazyFunction(lambda: {"phone": "+254 711 000 000"})


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    defender = factory.SubFactory(DefenderFactory)
    purpose = ConsentPurpose.CASE_HANDLING
    scope = "Handle my case within the team only."
    method = ConsentMethod.VERBAL
    given_at = factory.LazyFunction(timezone.now)
    recorded_by = None  # set by the test: a user is required
