"""Demo defenders: ten invented people and organisations across the five regions (no real person).

Found by seed_demo's autodiscovery; written through the services, so the data is encrypted,
indexed and audited exactly as real data would be."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import OutputWrapper
from django.utils import timezone

from protect.core import demo

from .models import ConsentMethod, ConsentPurpose, Kind, Profile
from .services import consent_record, contact_person_add, defender_create, defender_grant_access

# (pseudonym, legal name, kind, country, languages, profiles, city, phone, e-mail, risk)
DEMO_DEFENDERS = [
    ("Kestrel", "Wanjiru Achieng Otieno", Kind.PERSON, "KE", ["sw", "en"],
     [Profile.LAND_ENVIRONMENT, Profile.WOMEN_HRD], "Narok", "+254 700 100 201", "w.otieno@example.org",
     "Threatened after documenting forced evictions near a conservancy; followed twice last month."),
    ("Baobab", "Ibrahima Diallo Sow", Kind.PERSON, "SN", ["fr", "wo"],
     [Profile.JOURNALIST], "Thiès", "+221 77 000 1122", "",
     "Summoned by the police over an investigation into land sales."),
    ("Condor", "María Fernanda Quispe Huamán", Kind.PERSON, "PE", ["es", "qu"],
     [Profile.INDIGENOUS_RIGHTS, Profile.WOMEN_HRD], "Cusco", "+51 984 000 333", "mfquispe@example.net",
     "Criminalised for leading a road blockade against a mining concession."),
    ("Ceiba", "Colectivo Tierra Libre", Kind.ORGANISATION, "HN", ["es"],
     [Profile.LAND_ENVIRONMENT], "La Ceiba", "+504 9900 0044", "contacto@example.com",
     "Office broken into, laptops taken; two members received death threats by text message."),
    ("Lotus", "Nguyen Thi Hoa", Kind.PERSON, "VN", ["vi", "en"],
     [Profile.TRADE_UNIONIST, Profile.WOMEN_HRD], "Hai Phong", "+84 90 000 5566", "",
     "Factory organiser; police visited her family and asked about her contacts abroad."),
    ("Monsoon", "Rafiq Hossain Chowdhury", Kind.PERSON, "BD", ["bn", "en"],
     [Profile.LAWYER], "Dhaka", "+880 1700 000 777", "r.chowdhury@example.org",
     "Defends detained bloggers; his chambers are under surveillance."),
    ("Steppe", "Aigerim Nurlanovna Sadykova", Kind.PERSON, "KZ", ["kk", "ru"],
     [Profile.LGBTI], "Almaty", "+7 701 000 8899", "a.sadykova@example.net",
     "Doxxed online after a community meeting; landlord asked her to leave."),
    ("Birch", "Pavel Andreyevich Orlov", Kind.PERSON, "BY", ["ru", "be"],
     [Profile.STUDENT, Profile.JOURNALIST], "Hrodna", "+375 29 000 1010", "",
     "Expelled from university; a criminal case for 'extremist' posts is expected."),
    ("Olive", "Layla Haddad", Kind.PERSON, "LB", ["ar", "fr"],
     [Profile.JOURNALIST, Profile.WOMEN_HRD], "Tripoli", "+961 70 000 212", "l.haddad@example.com",
     "Received threats after reporting on detention conditions."),
    ("Cedar", "Association Nour pour les Droits", Kind.ORGANISATION, "TN", ["ar", "fr"],
     [Profile.WOMEN_HRD, Profile.LGBTI], "Sfax", "+216 20 000 313", "nour@example.org",
     "Bank accounts frozen pending an inquiry into foreign funding."),
]


def seed(out: OutputWrapper) -> None:
    User = get_user_model()
    coordinator = User.objects.get(username="coordinator")
    caseworker = User.objects.filter(username="caseworker").first()
    now = timezone.now()
    for number, row in enumerate(DEMO_DEFENDERS):
        pseudonym, name, kind, country, languages, profiles, city, phone, email, risk = row
        contacts = {"phone": phone, "signal": phone} if phone else {}
        if email:
            contacts["email"] = email
        defender = defender_create(
            by=coordinator, pseudonym=pseudonym, legal_name=name, kind=kind, country=country,
            languages=languages, profiles=profiles, contacts=contacts,
            secure_channels={"preferred": "signal", "safe_hours": "18:00-21:00 local"},
            location=f"{city}, {country}", risk_notes=risk,
            date_of_birth=None if kind == Kind.ORGANISATION else date(1975 + 2 * number, 1 + number, 3 + number),
        )
        if kind == Kind.ORGANISATION:
            contact_person_add(defender=defender, by=coordinator, name=f"Coordinator of {pseudonym}",
                               role="Director", contacts={"phone": phone})
        consent_record(defender=defender, by=coordinator, purpose=ConsentPurpose.CASE_HANDLING,
                       scope="Use my details to handle my request; share nothing outside the team.",
                       method=ConsentMethod.ELECTRONIC, given_at=now - timedelta(days=30 - number))
        if caseworker is not None and number % 2 == 0:
            defender_grant_access(defender=defender, by=coordinator, user=caseworker, can_change=True)
    out.write(f"  {len(DEMO_DEFENDERS)} defenders (encrypted), half of them assigned to the caseworker\n")


demo.register(seed)
