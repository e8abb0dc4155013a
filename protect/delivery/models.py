"""Deliveries: one row per message that leaves the system, so that none is sent twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """One e-mail (web hooks come with the partner API) to one recipient.

    `key` names what the message is about (e.g. "grants.assigned:42:7"): asking twice for the same
    key gives the same row, and a row once sent is never sent again. Bodies carry references and
    links only, never a name, a place or a narrative."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A delivery has no workflow: it is pending until one of these is set, once, by delivery_send.
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="delivery_pending",
                                condition=models.Q(sent_at=None, failed_at=None))]

    def __str__(self) -> str:
        return f"{self.channel} {self.key} ({self.status})"

    @property
    def status(self) -> str:
        """pending, sent or failed (after every retry), read from the timestamps."""
        if self.sent_at is not None:
            return "sent"
        return "failed" if self.failed_at is not None else "pending"
