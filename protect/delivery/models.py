"""Deliveries: one row per message that leaves the system, so that none is sent twice; and the web
hook endpoints messages may be sent to (a URL and its signing secret, sealed under a key of their own)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from protect.crypto.fields import EncryptedTextField
from protect.crypto.models import DataKey, EncryptedModel, SelfKeyedModel


class WebhookEndpoint(SelfKeyedModel):
    """Where a web hook goes and the secret it is signed with (Standard Webhooks: `whsec_` + base64).

    The URL and the secret are sealed under the endpoint's own data key, made with it, so a database
    dump names no receiver and lets nobody forge a signature. Alert recipients and partner systems
    both point to one."""

    url = EncryptedTextField()
    secret = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"web hook endpoint {self.pk}"


class SealedContent(EncryptedModel):
    """What a delivery says when it carries a defender's text (an alert's consented text): sealed
    under that defender's data key, so the outbound log keeps no readable copy and erasing the
    defender shreds it with everything else (a pending delivery then never leaves)."""

    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    subject = EncryptedTextField()
    body = EncryptedTextField()

    def __str__(self) -> str:
        return f"sealed content {self.pk}"

    def get_data_key(self) -> DataKey:
        return self.data_key


class Delivery(models.Model):
    """One e-mail or one signed web hook to one recipient.

    `key` names what the message is about (e.g. "grants.assigned:42:7"): asking twice for the same
    key gives the same row, and a row once sent is never sent again. Bodies carry references and
    links only, never a name, a place or a narrative."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Web hook")

    key = models.CharField(max_length=200, unique=True)
    # Subject and body carry a defender's text: they are here, sealed; `subject` and `body` stay empty.
    sealed = models.OneToOneField(SealedContent, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="delivery")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # A web hook: where it goes and how it is signed (recipient then says only "web hook <id>").
    endpoint = models.ForeignKey(WebhookEndpoint, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="deliveries")
    # Sent only while this consent is in force: revoking it cancels the delivery if still pending.
    consent = models.ForeignKey("defenders.ConsentRecord", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deliveries")
    message_id = models.UUIDField(default=uuid.uuid4, editable=False)  # webhook-id: the same on every retry
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A delivery has no workflow: it is pending until one of these is set, once, by delivery_send.
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)  # its consent was revoked before it left

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="delivery_pending",
                                condition=models.Q(sent_at=None, failed_at=None))]
        constraints = [
            models.CheckConstraint(name="webhook_has_endpoint",
                                   condition=models.Q(channel="email") | models.Q(endpoint__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.key} ({self.status})"

    def content(self) -> tuple[str, str]:
        """(subject, body) to send: the sealed ones when there are (raises DataKeyDestroyed once erased)."""
        if self.sealed is not None:
            return self.sealed.subject, self.sealed.body
        return self.subject, self.body

    @property
    def status(self) -> str:
        """pending, sent, failed (after every retry) or cancelled, read from the timestamps."""
        if self.sent_at is not None:
            return "sent"
        if self.cancelled_at is not None:
            return "cancelled"
        return "failed" if self.failed_at is not None else "pending"
