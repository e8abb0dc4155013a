"""Urgent alerts: the alert (a kind of case), its reviewed translations, the defender's scoped consent
and the recipients it may go to.

Every text of an alert and of its translations is encrypted under the defender's data key; a
recipient's name and e-mail address under a key of its own (its web hook URL and secret live in
protect.delivery's WebhookEndpoint). `status` is written only by alerts/workflow.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from protect.cases.models import Case, CaseEscalation, CaseFile, CaseMessage, CaseNote, case_indexes, reference_field
from protect.crypto.fields import EncryptedTextField
from protect.crypto.models import DataKey, EncryptedModel
from protect.crypto.services import data_key_create

# Status groups, one name per meaning; the workflow table (alerts/workflow.py) is built on them.
OPEN = ["submitted", "draft", "in_review", "approved", "published"]
AWAITING_DECISION = ["submitted", "draft", "in_review"]  # the deadline runs until it is approved
DISTRIBUTED = ["published"]  # recipients are told of every update
PUBLIC = ["published", "closed"]  # the states in which the public page may show it (a closed one with its outcome)
# The latest consent recorded for an alert is the one that counts (a narrower one replaces a wider one).
CONSENT_ORDER = ("-consent__recorded_at", "-pk")

SLUG_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud and typed from paper
SLUG_LENGTH = 12


def new_public_slug() -> str:
    """The public page's address: random (59 bits), never derived from the defender, the title or the
    reference, so a link that spreads says nothing about anyone and survives any change of consent."""
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


class Tier(models.TextChoices):
    """Who an alert may go to: the consent names the tiers, each recipient is in one."""

    AUTHORITIES = "authorities", _("Authorities")
    DIPLOMATIC = "diplomatic", _("EU delegations and embassies")
    UN = "un", _("UN special procedures")
    MEDIA = "media", _("Media")
    PARTNERS = "partners", _("Partner organisations")


class Alert(Case):
    """An urgent alert on behalf of a defender, written in its source language (the case's `language`)."""

    kind = "alert"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Recorded, being routed")
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        RELEASED = "released", _("Released")
        CHARGES_DROPPED = "charges_dropped", _("Charges dropped")
        PROTECTION_GRANTED = "protection_granted", _("Protection granted")
        NO_CHANGE = "no_change", _("No change")
        OTHER = "other", _("Other")

    reference = reference_field("A-")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    title = EncryptedTextField()
    summary = EncryptedTextField()
    facts = EncryptedTextField()
    requested_actions = EncryptedTextField()
    # Optional links to the defender's other cases (an alert never changes them). A link to a
    grant = models.ForeignKey("grants.Grant", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    relocation = models.ForeignKey("relocation.Relocation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="alerts")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # who sent it for review: someone else approves
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    tiers = models.JSONField(default=list, blank=True)  # chosen at publication; updates go to the same tiers
    published_at = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    decision_note = EncryptedTextField(blank=True)  # why it was returned to draft or withdrawn
    closed_at = models.DateTimeField(null=True, blank=True)
    public_slug = models.CharField(max_length=16, unique=True, default=new_public_slug, editable=False)

    REQUESTER_SENTENCES: ClassVar[Mapping[str, Any]] = {
        "submitted": _("The alert was recorded."),
        "draft": _("The alert is being written."),
        "in_review": _("The alert is being reviewed."),
        "approved": _("The alert was approved and will be published soon."),
        "published": _("The alert was published."),
        "closed": _("The alert was closed."),
        "withdrawn": _("The alert was withdrawn."),
    }

    class Meta:
        indexes = case_indexes("alert", OPEN)

    def get_absolute_url(self) -> str:
        return reverse("alerts:alert", args=[self.reference])

    @classmethod
    def sla_hours(cls) -> Mapping[str, float]:
        return settings.PROTECT_ALERT_SLA_HOURS

    def consent_in_force(self) -> AlertConsent | None:
        """The consent recorded last for this alert (whenever it says it was given), if not revoked
        and not expired: recording a narrower consent replaces a wider one."""
        latest = self.consents.select_related("consent").order_by(*CONSENT_ORDER).first()
        return latest if latest is not None and latest.consent.is_valid() else None


class AlertNote(CaseNote):
    case = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notes")


class AlertMessage(CaseMessage):
    case = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="messages")


class AlertFile(CaseFile):
    case = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="files")


class AlertEscalation(CaseEscalation):
    case = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="escalations")


class AlertUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Alert, on_delete=models.CASCADE)


class AlertGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Alert, on_delete=models.CASCADE)


class ReviewedTranslation(EncryptedModel):
    """A text in another language, written by one person and used only once reviewed by another
    (a database constraint holds the two apart)."""

    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


_REVIEWED_BY_ANOTHER = models.Q(reviewed_by__isnull=True) | ~models.Q(reviewed_by=models.F("written_by"))


class AlertTranslation(ReviewedTranslation):
    """The alert in another language; used only once reviewed by someone other than its translator."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="translations")
    title = EncryptedTextField()
    summary = EncryptedTextField()
    facts = EncryptedTextField()
    requested_actions = EncryptedTextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "language"], name="one_translation_per_language"),
            models.CheckConstraint(name="translation_reviewed_by_another", condition=_REVIEWED_BY_ANOTHER),
        ]

    def __str__(self) -> str:
        return f"{self.language} translation of alert {self.alert_id}"

    def get_data_key(self) -> DataKey:
        return self.alert.get_data_key()


class AlertUpdate(EncryptedModel):
    """News sent to the alert's recipients after publication (in the source language), once per key."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="updates")
    key = models.CharField(max_length=100)  # the update's idempotency key
    news = EncryptedTextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "key"], name="one_alert_update_per_key")]

    def __str__(self) -> str:
        return f"update {self.key} of alert {self.alert_id}"

    def get_data_key(self) -> DataKey:
        return self.alert.get_data_key()


class AlertUpdateTranslation(ReviewedTranslation):
    """An update's news in another language; shown on the public page only once reviewed by a second person."""

    update = models.ForeignKey(AlertUpdate, on_delete=models.CASCADE, related_name="translations")
    news = EncryptedTextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["update", "language"], name="one_update_translation_per_language"),
            models.CheckConstraint(name="update_translation_reviewed_by_another", condition=_REVIEWED_BY_ANOTHER),
        ]

    def __str__(self) -> str:
        return f"{self.language} translation of update {self.update_id}"

    def get_data_key(self) -> DataKey:
        return self.update.get_data_key()


class AlertFollowUp(models.Model):
    """A reminder to the caseworker that a published alert has had no news for a while: one per
    quiet period, which is named by the moment the last news went out (`quiet_since`)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="follow_ups")
    quiet_since = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "quiet_since"], name="one_follow_up_per_quiet_period")]

    def __str__(self) -> str:
        return f"follow-up of alert {self.alert_id} (quiet since {self.quiet_since:%Y-%m-%d})"


class AlertConsent(EncryptedModel):
    """The scope of a defender's consent to one alert, with the checklist answered when it was recorded.

    The consent itself (how it was given, the proof, until when, its revocation) is the defender's
    ConsentRecord (purpose `public_alert`); this row says what it allows for this alert."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="consents")
    consent = models.OneToOneField("defenders.ConsentRecord", on_delete=models.PROTECT, related_name="alert_scope")
    may_name = models.BooleanField(help_text=_("Named; otherwise only described."))
    photo_allowed = models.BooleanField(default=False)
    facts_allowed = EncryptedTextField(help_text=_("Which facts may be told."))
    tiers = models.JSONField(default=list)  # Tier values
    languages = models.JSONField(default=list)  # language codes it may be told in
    public_page_allowed = models.BooleanField(default=False)
    # The public page is read by anyone, the perpetrators included: its facts section is a consent of
    # its own, so agreeing to tell the facts to a UN rapporteur never puts them on the open web.
    public_facts_allowed = models.BooleanField(default=False, help_text=_("The facts may be told on the public page."))
    # The checklist, answered when the consent is recorded.
    naming_is_a_risk = models.BooleanField()
    information_verified = models.BooleanField()
    response_plan = models.BooleanField()
    benefits_outweigh_risks = models.BooleanField()

    def __str__(self) -> str:
        return f"consent scope {self.pk} of alert {self.alert_id}"

    def get_data_key(self) -> DataKey:
        return self.alert.get_data_key()


class Recipient(EncryptedModel):
    """Someone an alert may go to: by e-mail, or by a signed web hook (protect.delivery's endpoint)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Web hook")

    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+", editable=False, blank=True)
    name = EncryptedTextField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    email = EncryptedTextField(blank=True)
    endpoint = models.OneToOneField("delivery.WebhookEndpoint", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="alert_recipient")
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(name="recipient_has_its_channel",
                                   condition=models.Q(channel="email", endpoint__isnull=True)
                                   | models.Q(channel="webhook", endpoint__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.tier} recipient {self.pk} ({self.channel})"

    def get_absolute_url(self) -> str:
        return reverse("alerts:recipient-edit", args=[self.pk])

    def get_data_key(self) -> DataKey:
        return self.data_key

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            if self.data_key_id is None:
                self.data_key = data_key_create()
            super().save(*args, **kwargs)
