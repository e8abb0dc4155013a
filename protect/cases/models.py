"""What every kind of case shares: the abstract Case and the rows attached to one case.

A kind (grants.Grant, relocation.Relocation, alerts.Alert) subclasses `Case`, declares its own
reference with `reference_field("G-")`, its statuses and fields; then makes the attached models
concrete in a line each (a foreign key named `case` with the related name the kernel reads:
`notes`, `messages`, `files`, `escalations`). Encrypted values of a case and of everything attached
to it are sealed under the defender's data key, so erasing the defender shreds them all.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from protect.crypto.fields import EncryptedTextField
from protect.crypto.models import DataKey, EncryptedModel

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over a phone line


def new_reference(prefix: str) -> str:
    """A prefix per kind ("G-", "R-", "A-") and 10 random symbols (50 bits): never sequential."""
    return prefix + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def reference_field(prefix: str) -> models.CharField[str, str]:
    return models.CharField(max_length=12, unique=True, editable=False,
                            default=functools.partial(new_reference, prefix))


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Critical: in danger now")
    HIGH = "high", _("High: within days")
    NORMAL = "normal", _("Normal: within weeks")


# By code, for lists: Django's get_urgency_display rebuilds its choices mapping on every call
# (17 µs a row here), which a board of 400 rows felt.
URGENCY_LABELS = dict(Urgency.choices)


class Channel(models.TextChoices):
    PUBLIC_FORM = "public_form", _("Public request form")
    HOTLINE = "hotline", _("Hotline (phone or secure messenger)")
    PARTNER = "partner", _("Partner referral")


class VerifiedChannel(models.TextChoices):
    """How a caseworker knew it was the requester who called back, before giving a new receipt
    (kept in the audit event; never a number or an address)."""

    PHONE_ON_FILE = "phone_on_file", _("A call from a number on file, and their voice recognised")
    MESSENGER_ON_FILE = "messenger_on_file", _("A secure messenger account on file")
    CODE_WORD = "code_word", _("The code word or a detail only they know, asked on a call")
    IN_PERSON = "in_person", _("In person")
    PARTNER = "partner", _("A trusted partner organisation who knows them")


class Case(EncryptedModel):
    """A request of some kind, about one defender (the owner of the data key)."""

    kind: ClassVar[str]  # "grant": audit codes, receipts' blind-index purpose, notifications
    reference = models.CharField(max_length=12, unique=True, editable=False)  # each kind: reference_field(prefix)
    defender = models.ForeignKey("defenders.Defender", on_delete=models.PROTECT, related_name="%(class)ss")
    status = models.CharField(max_length=20, db_index=True)  # written only by the workflow engine
    status_changed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    channel = models.CharField(max_length=20, choices=Channel.choices)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="en")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referred_%(class)ss"
    )
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=30)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)

    # Requester access: receipt code (looked up by keyed hash) + passphrase (password hash)
    receipt_index = models.CharField(max_length=64, unique=True, null=True, blank=True)
    passphrase_hash = models.CharField(max_length=200, blank=True)
    status_failures = models.PositiveIntegerField(default=0)
    status_locked_until = models.DateTimeField(null=True, blank=True)

    # Routing
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="%(class)ss")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="%(class)ss_assigned"
    )
    routed_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField()  # set at intake from the urgency; the queue is ordered by it
    sla_near_at = models.DateTimeField(db_index=True)  # when the "near its deadline" escalation fires

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.reference

    def get_data_key(self) -> DataKey:
        return self.defender.get_data_key()

    def get_absolute_url(self) -> str:
        """The case page on the staff side (each kind has its own pages)."""
        raise NotImplementedError(f"{type(self).__name__} must say where its case page is.")

    # One plain sentence per status for the requester's status page (each kind words its own).
    REQUESTER_SENTENCES: ClassVar[Mapping[str, Any]] = {}

    def requester_sentence(self) -> Any:
        return self.REQUESTER_SENTENCES.get(self.status, "")

    @classmethod
    def sla_hours(cls) -> Mapping[str, float]:
        """Hours to answer, by urgency: each kind reads its own setting."""
        raise NotImplementedError(f"{cls.__name__} must say how long it may wait (sla_hours).")

    def relocation_brief(self) -> Mapping[str, str] | None:
        """What a temporary relocation opened from this case starts with (its risk, why relocation,
        other funders), or None when the case does not ask for one. A kind that can lead to a
        relocation says so; the relocation reads only this, never the kind's own fields."""
        return None


def case_indexes(prefix: str, open_statuses: list[str]) -> list[models.Index]:
    """The queue walks open cases in deadline order: partial indexes on open statuses let it stop
    after one page instead of sorting every open case; the caseworker one makes a caseload count
    an index-only scan, which keeps routing fast however many cases accumulate."""
    is_open = models.Q(status__in=open_statuses)
    return [
        models.Index(fields=["sla_due_at", "id"], name=f"{prefix}_open_by_deadline", condition=is_open),
        models.Index(fields=["team", "sla_due_at", "id"], name=f"{prefix}_team_open_by_deadline", condition=is_open),
        models.Index(fields=["caseworker", "sla_due_at", "id"], name=f"{prefix}_cw_open_by_deadline",
                     condition=is_open),
        models.Index(fields=["status", "sla_due_at", "id"], name=f"{prefix}_status_sla"),
    ]


# --- rows attached to one case: each kind declares `case = models.ForeignKey(Kind, …)` --------------


class CaseRow(EncryptedModel):
    case: Any  # the kind's foreign key, named `case`

    class Meta:
        abstract = True

    def get_data_key(self) -> DataKey:
        return self.case.get_data_key()


class CaseMessage(CaseRow):
    """A question from a caseworker to the requester, or the requester's answer (status page)."""

    class Direction(models.TextChoices):
        TO_REQUESTER = "to_requester", _("To the requester")
        FROM_REQUESTER = "from_requester", _("From the requester")

    direction = models.CharField(max_length=20, choices=Direction.choices)
    body = EncryptedTextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.direction} message on case {self.case_id}"  # type: ignore[attr-defined]


class CaseNote(CaseRow):
    """A caseworker's internal note on a case."""

    body = EncryptedTextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on case {self.case_id}"  # type: ignore[attr-defined]


class CaseFile(models.Model):
    """An encrypted file attached to a case (the bytes and their key live in protect.crypto)."""

    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", _("Attachment from the request")
        RECEIPT = "receipt", _("Receipt for the report")
        DOCUMENT = "document", _("Case document")

    case: Any
    file = models.OneToOneField("crypto.EncryptedFile", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id}"  # type: ignore[attr-defined]


class CaseEscalation(models.Model):
    """An SLA threshold crossed and escalated to the team's coordinator: once per threshold."""

    class Threshold(models.TextChoices):
        NEAR = "near", _("Near its deadline")
        OVERDUE = "overdue", _("Past its deadline")

    case: Any
    threshold = models.CharField(max_length=10, choices=Threshold.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["case", "threshold"], name="%(app_label)s_%(class)s_once_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.threshold} escalation of case {self.case_id}"  # type: ignore[attr-defined]


class AppliedStep(models.Model):
    """A transition that returns to its own state (an alert's update), applied once per idempotency
    key: the retried request finds its key here and changes nothing twice."""

    case_type = models.CharField(max_length=100)  # "alerts.alert"
    case_id = models.BigIntegerField()
    action = models.CharField(max_length=50)
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case_type", "case_id", "action", "key"], name="one_step_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.action} of {self.case_type} {self.case_id} ({self.key})"


class Notification(models.Model):
    """Something a staff member is told about a case, of any kind: shown in their queue until they
    open the case, and sent by e-mail. It holds the case's reference and nothing about the defender."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("The requester answered")
        ASSIGNED = "assigned", _("A case was assigned to you")
        SLA_NEAR = "sla_near", _("A deadline is near")
        SLA_OVERDUE = "sla_overdue", _("A deadline has passed")

    key = models.CharField(max_length=150, unique=True)  # one per event: a retried task tells nobody twice
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case_type = models.CharField(max_length=100)  # "grants.grant"
    case_id = models.BigIntegerField()
    reference = models.CharField(max_length=12)
    url = models.CharField(max_length=200)  # the case page, as the kind says (get_absolute_url)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "created_at"], name="notification_unseen",
                         condition=models.Q(seen_at=None)),
            models.Index(fields=["case_type", "case_id", "user"], name="notification_by_case"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.reference} for user {self.user_id}"
