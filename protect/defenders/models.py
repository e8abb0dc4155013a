"""Defenders (a person or an organisation at risk), their contact persons, profiles and consents.

Identifying values are encrypted under the defender's own data key (protect.crypto): erasing a
defender destroys that key, which makes the defender, their contact persons, consents, files and
every request that points here (grants, relocations, alerts encrypt under `get_data_key()`)
unreadable at once. Plaintext columns hold only what is safe to show or needed for statistics:
a random reference, a pseudonym chosen to be safe, country, region, languages and profiles.
Exact-match duplicate look-ups use blind-index columns (HMAC), never plaintext.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from protect.accounts.models import Region  # one list for teams and defenders: routing matches them
from protect.crypto.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField
from protect.crypto.models import DataKey, EncryptedModel
from protect.crypto.services import data_key_create

from .regions import REGION_OF_COUNTRY, region_for_country

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over a bad line
REFERENCE_LENGTH = 10
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def new_defender_reference() -> str:
    """"D-" + 10 random characters (50 bits): not sequential, not guessable, unique by constraint."""
    return "D-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class Kind(models.TextChoices):
    PERSON = "person", _("A person")
    ORGANISATION = "organisation", _("An organisation or group")


class Profile(models.TextChoices):
    JOURNALIST = "journalist", _("Journalist or media worker")
    LAWYER = "lawyer", _("Lawyer")
    LAND_ENVIRONMENT = "land_environment", _("Land and environment defender")
    WOMEN_HRD = "women_hrd", _("Woman or gender-diverse defender")
    LGBTI = "lgbti", _("LGBTI rights defender")
    TRADE_UNIONIST = "trade_unionist", _("Trade unionist")
    INDIGENOUS_RIGHTS = "indigenous_rights", _("Indigenous peoples' rights defender")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


class Defender(EncryptedModel):
    """A person or an organisation at risk. Writes go through defenders.services."""

    reference = models.CharField(max_length=12, unique=True, default=new_defender_reference, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    pseudonym = models.CharField(max_length=80, help_text="Shown in lists and messages: must not identify.")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)

    # Encrypted: identifying or locating.
    legal_name = EncryptedTextField(max_length=300, blank=True)  # a pseudonym is enough to begin
    aliases = EncryptedJSONField(default=list, blank=True)
    contacts = EncryptedJSONField(default=dict, blank=True, help_text="phone, email, signal, whatsapp, …")
    secure_channels = EncryptedJSONField(default=dict, blank=True,
                                         help_text="preferred channels, safe hours, code words")
    location = EncryptedTextField(blank=True, help_text="city and address")
    risk_notes = EncryptedTextField(blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)

    # Plaintext, not identifying: statistics and routing.
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    region = models.CharField(max_length=30, choices=Region.choices)  # follows the country: see clean_fields()
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639 codes")

    # Blind indexes (HMAC, protect.crypto.blind): "" when there is nothing to index.
    name_country_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    email_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_duplicates", editable=False)
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", editable=False)
    erasure_reason = models.CharField(max_length=300, blank=True, editable=False,
                                      help_text="Why, without identifying anyone: kept after erasure.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["country", "region"], name="defender_by_place")]

    def __str__(self) -> str:
        return f"{self.pseudonym} ({self.reference})"

    def get_data_key(self) -> DataKey:
        return self.data_key

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def profile_codes(self) -> list[str]:
        return sorted(p.profile for p in self.profiles.all())

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        # The region is never picked by hand: it follows the country, so routing (a team per region)
        # and the figures by region cannot contradict it. An unknown country has no region; clean()
        # says what is wrong with the country, without a second error about the region.
        if self.country in REGION_OF_COUNTRY:
            self.region = region_for_country(self.country)
        else:
            exclude = {*(exclude or ()), "region"}
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.country and self.country not in REGION_OF_COUNTRY:
            errors["country"] = "Choose a country from the list (its two-letter ISO code in capitals, e.g. KE)."
        if not isinstance(self.languages, list) or not all(
            isinstance(code, str) and _LANGUAGE.match(code) for code in self.languages
        ):
            errors["languages"] = "Give a list of ISO 639 language codes, e.g. [\"en\", \"sw\"]."
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Invariant: every defender has a data key of its own, made before its first encrypted value.
        if self.data_key_id is None:
            self.data_key = data_key_create()
        super().save(*args, **kwargs)


class DefenderProfile(models.Model):
    """One profile of a defender (a defender may be a journalist and a woman HRD): rows for statistics."""

    defender = models.ForeignKey(Defender, on_delete=models.CASCADE, related_name="profiles")
    profile = models.CharField(max_length=30, choices=Profile.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["defender", "profile"], name="defender_profile_once")]

    def __str__(self) -> str:
        return self.profile


class ContactPerson(EncryptedModel):
    """Someone to talk to for an organisation (or on behalf of a person), encrypted under its key."""

    defender = models.ForeignKey(Defender, on_delete=models.PROTECT, related_name="contact_persons")
    name = EncryptedTextField(max_length=300)
    role = EncryptedTextField(blank=True, max_length=200)
    contacts = EncryptedJSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"contact person {self.pk} of {self.defender_id}"

    def get_data_key(self) -> DataKey:
        return self.defender.get_data_key()


class ConsentPurpose(models.TextChoices):
    CASE_HANDLING = "case_handling", _("Handling the case")
    PUBLIC_ALERT = "public_alert", _("Naming in a public alert")
    PHOTO = "photo", _("Using a photo")
    SHARING_WITH_PARTNERS = "sharing_with_partners", _("Sharing with partner organisations")
    STATISTICS = "statistics", _("Anonymous statistics")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("In writing (signed)")
    ELECTRONIC = "electronic", _("Electronic message")
    VERBAL = "verbal", _("Verbal (noted by the caseworker)")
    REPRESENTATIVE = "representative", _("Through a trusted representative")


class ConsentRecord(EncryptedModel):
    """What the defender agreed to, for which use, how, until when; revocable, never deleted."""

    defender = models.ForeignKey(Defender, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    scope = EncryptedTextField(help_text="What exactly may be done or said, in which languages.")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    given_at = models.DateTimeField()
    valid_until = models.DateField(null=True, blank=True)
    evidence = models.ForeignKey("crypto.EncryptedFile", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["defender", "purpose"], name="consent_by_purpose")]

    def __str__(self) -> str:
        return f"consent {self.pk} ({self.purpose}) of {self.defender_id}"

    def get_data_key(self) -> DataKey:
        return self.defender.get_data_key()

    def is_valid(self, *, on: Any = None) -> bool:
        """Given, not revoked, not expired (on `on`, a date; today by default)."""
        if self.revoked_at is not None:
            return False
        day = on or timezone.localdate()
        return self.valid_until is None or self.valid_until >= day


class DefenderUserObjectPermission(UserObjectPermissionBase):
    """django-guardian object permission on a defender, with a real foreign key (fast joins)."""

    content_object = models.ForeignKey(Defender, on_delete=models.CASCADE)


class DefenderGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Defender, on_delete=models.CASCADE)
