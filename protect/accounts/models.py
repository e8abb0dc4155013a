"""Accounts: the user model, teams, the sessions a user holds and partner API tokens.

Roles are groups (see roles.py); the second factor lives in django-otp's device tables."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account: staff, a donor, a partner's API owner or a host institution's contact.

    Defenders never have an account."""

    display_name = models.CharField(max_length=150, blank=True)

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_role(self, role: str) -> bool:
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return role in cached


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA_PACIFIC = "asia_pacific", _("Asia and the Pacific")
    EUROPE_CENTRAL_ASIA = "europe_central_asia", _("Europe and Central Asia")
    MENA = "mena", _("Middle East and North Africa")


# The languages of the 24/7 hotline (DESIGN); a team lists those its members work in.
TEAM_LANGUAGES: dict[str, str] = {"ar": "Arabic", "en": "English", "es": "Spanish", "fr": "French", "ru": "Russian"}


def validate_language_codes(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Languages must be a list of language codes."), code="invalid")
    unknown = sorted(set(value) - set(TEAM_LANGUAGES))
    if unknown:
        raise ValidationError(
            _("Unknown language codes: %(codes)s."), code="invalid", params={"codes": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A language is listed twice."), code="invalid")


class TeamQuerySet(models.QuerySet["Team"]):
    def speaking(self, language: str) -> TeamQuerySet:
        """Teams that work in `language`; portable to SQLite (the demo), which lacks JSON containment."""
        if connection.features.supports_json_field_contains:
            return self.filter(languages__contains=[language])
        # Codes are validated two-letter strings, so the quoted code only matches a whole list item.
        return self.filter(languages__icontains=f'"{language}"')


class Team(models.Model):
    """A regional desk of caseworkers; intake routes a request to a team by region and language."""

    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=32, choices=Region.choices)
    languages = models.JSONField(default=list, blank=True, validators=[validate_language_codes])
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    coordinator = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="coordinated_teams"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserSession(models.Model):
    """One row per live login, so that disabling a user can end their sessions without scanning
    (and decoding) every session in the store."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class ApiToken(models.Model):
    """A partner's API token. Only its SHA-256 hash is stored; `prefix` identifies it in lists and
    logs without being enough to use it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now
