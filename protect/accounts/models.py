"""Accounts: the user model, teams, the sessions a user holds and partner API tokens.

Roles are groups (see roles.py). The second factor is two django-otp devices of our own: an
authenticator app whose TOTP secret is encrypted (protect.crypto), and recovery codes stored only
as keyed hashes, so a copy of the database (a dump, a backup) does not give the second factor away."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
import zoneinfo
from base64 import b32encode
from binascii import unhexlify
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from protect.crypto.fields import EncryptedTextField
from protect.crypto.models import DataKey
from protect.crypto.services import data_key_create

from .roles import Role


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone the system knows, by name (a callable: the migration does not list them)."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


# django-otp ships no type hints, so django-stubs cannot name the managers of the device relations.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person with an account: staff, a donor, a partner's API owner or a host institution's contact.

    Defenders never have an account."""

    display_name = models.CharField(max_length=150, blank=True)
    # Deadlines are shown in it (TimeZoneMiddleware); an IANA name, checked against zoneinfo.
    # db_default too: rows written by code that predates the column (an older migration's model) get UTC.
    time_zone = models.CharField(max_length=64, default="UTC", db_default="UTC", choices=time_zone_choices)

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.display_name or self.username

    def role_names(self) -> frozenset[str]:
        """The user's roles (group names), read once per instance: pages ask many times.

        The one definition of who holds a role: an active superuser is a coordinator (the demo's
        coordinator is one, and Django's admin and guardian already let a superuser do anything),
        and holds no other role unless given it. Every role check goes through here."""
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = self.remember_groups(self.groups.values_list("name", flat=True))
        return cached

    def remember_groups(self, names: Iterable[str]) -> frozenset[str]:
        """Hold the user's group names, read by the caller in a query of its own (the API reads
        them with the token), as `role_names()` would have."""
        roles = frozenset(names)
        if self.is_superuser and self.is_active:
            roles |= {Role.COORDINATOR.value}
        self._role_names = roles
        return roles

    def has_role(self, role: str) -> bool:
        return role in self.role_names()


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


class PartnerOrganisation(models.Model):
    """A partner organisation (a protection NGO, a helpline, a host network) that refers cases and
    follows them through the API. It acts through one partner account of its own: referrals, messages
    and web hooks belong to that account, so every permission check of the kernel applies unchanged."""

    name = models.CharField(max_length=150, unique=True)
    account = models.OneToOneField(User, on_delete=models.PROTECT, related_name="partner_organisation")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiScope(models.TextChoices):
    """What a token may do; a partner asks only for what its system needs."""

    REFERRALS_WRITE = "referrals:write", _("Refer cases and write messages")
    REFERRALS_READ = "referrals:read", _("Read its referrals and their messages")
    ALERTS_READ = "alerts:read", _("Read published alerts")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Manage web hook subscriptions")


class ApiToken(models.Model):
    """A partner's API token. Only its SHA-256 hash is stored; `prefix` identifies it in lists and
    logs without being enough to use it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list, blank=True)  # ApiScope values
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

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


# --- Second factor -------------------------------------------------------------------------

TOTP_KEY_BYTES = 20  # as django-otp's TOTPDevice: 160 bits, the size RFC 4226 recommends for SHA-1
RECOVERY_HMAC_KEY_BYTES = 32


def new_totp_secret() -> str:
    return secrets.token_hex(TOTP_KEY_BYTES)


def new_recovery_hmac_key() -> str:
    return secrets.token_hex(RECOVERY_HMAC_KEY_BYTES)


class SealedDevice(TimestampMixin, ThrottlingMixin, Device):
    """A django-otp device whose secret is sealed under a data key of its own.

    The key is made with the device (in `save`), re-wrapped by `rotate_master_key` like every data
    key, and deleted with it (signals.py), so a removed authenticator cannot be read back from a
    later dump. `crypto_id` binds each ciphertext to its row: a secret copied to another device
    does not decrypt."""

    crypto_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # blank: made by save() when missing, so full_clean() passes on a new device.
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+", editable=False, blank=True)

    class Meta(Device.Meta):
        abstract = True

    def get_data_key(self) -> DataKey:
        return self.data_key

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            if self.data_key_id is None:
                self.data_key = data_key_create()
            super().save(*args, **kwargs)


class AuthenticatorDevice(SealedDevice):
    """An authenticator app (TOTP, RFC 6238), verified exactly as django-otp's TOTPDevice does:
    the same drift, tolerance and last-step anti-replay, throttled on failures; only the secret is
    stored differently (encrypted instead of hex in clear)."""

    secret = EncryptedTextField(default=new_totp_secret, editable=False)  # hex, TOTP_KEY_BYTES long
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last accepted code: only later steps are accepted (no replay).
    last_t = models.BigIntegerField(default=-1)

    class Meta(SealedDevice.Meta):
        verbose_name = "authenticator device"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.secret.encode())

    def totp(self) -> TOTP:
        return TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)

    def verify_token(self, token: Any) -> bool:
        """As TOTPDevice.verify_token (django-otp 1.7), reading the decrypted secret."""
        verify_allowed, _ = self.verify_is_allowed()
        if not verify_allowed:
            return False
        try:
            code = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = self.totp()
            totp.time = time.time()
            verified = totp.verify(code, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if settings.OTP_TOTP_SYNC:
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return settings.OTP_TOTP_THROTTLE_FACTOR

    @property
    def config_url(self) -> str:
        """The otpauth:// URI an authenticator app scans (as TOTPDevice.config_url)."""
        label = str(self.user.get_username())
        params = urlencode({"secret": b32encode(self.bin_key), "algorithm": "SHA1",
                            "digits": self.digits, "period": self.step})
        issuer = settings.OTP_TOTP_ISSUER  # never empty, never a ':' (settings.py refuses one)
        label = f"{issuer}:{label}"
        params += f"&issuer={quote(issuer)}"  # RFC 3986 encoding, as django-otp does
        return f"otpauth://totp/{quote(label)}?{params}"


class RecoveryCodeDevice(SealedDevice):
    """A sheet of single-use recovery codes. Only an HMAC-SHA256 of each code is stored, keyed by
    a random key of this device that is itself encrypted: without the master key a dump cannot
    even be used to test guesses (the codes have 40 bits, too few for a plain fast hash)."""

    hmac_key = EncryptedTextField(default=new_recovery_hmac_key, editable=False)  # hex

    class Meta(SealedDevice.Meta):
        verbose_name = "recovery code device"

    def code_digest(self, code: str) -> str:
        return hmac.new(unhexlify(self.hmac_key.encode()), code.encode("utf-8"), hashlib.sha256).hexdigest()

    def verify_token(self, token: Any) -> bool:
        """As StaticDevice.verify_token: a matching code is used up; a miss counts for throttling."""
        verify_allowed, _ = self.verify_is_allowed()
        if not verify_allowed:
            return False
        match = self.codes.filter(digest=self.code_digest(str(token))).first()
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    def get_throttle_factor(self) -> int:
        return settings.OTP_STATIC_THROTTLE_FACTOR


class RecoveryCode(models.Model):
    """One unused recovery code, as its keyed hash (see RecoveryCodeDevice)."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique_per_device")]

    def __str__(self) -> str:
        return f"recovery code of device {self.device_id}"


# --- Enrolment codes -----------------------------------------------------------------------


def enrolment_code_digest(*, user_id: int, code: str) -> str:
    """The keyed hash an enrolment code is kept as, bound to its account: the key (SECRET_KEY)
    lives outside the database, so a dump can neither read codes nor test guesses offline."""
    return salted_hmac("protect.accounts.enrolment_code", f"{user_id}:{code}", algorithm="sha256").hexdigest()


class EnrolmentCodeQuerySet(models.QuerySet["EnrolmentCode"]):
    def redeemed(self, *, user: Any, pk: object) -> EnrolmentCodeQuerySet:
        """The code `pk` of `user` if it was typed in and has not expired: what lets the session
        holding its id see an authenticator key and confirm it."""
        if not isinstance(pk, int):
            return self.none()
        return self.filter(pk=pk, user=user, redeemed_at__isnull=False, expires_at__gt=timezone.now())


class EnrolmentCode(models.Model):
    """The single-use code a coordinator hands an account holder out of band (phone, in person),
    without which the account cannot enrol an authenticator: knowing the password is not enough
    to put one's own phone on a new or reset account. One per account; issuing again replaces it.

    `redeemed_at` is set when the code is typed in; from then on only the session that typed it
    may finish the enrolment (it holds the row's id), and the row goes when enrolment succeeds."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="enrolment_code")
    digest = models.CharField(max_length=64, editable=False)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True, editable=False)
    failures = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = EnrolmentCodeQuerySet.as_manager()

    def __str__(self) -> str:
        return f"enrolment code of user {self.user_id}"

    def is_live(self, now: datetime | None = None) -> bool:
        return self.expires_at > (now or timezone.now())
