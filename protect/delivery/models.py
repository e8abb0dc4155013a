"""Deliveries: one row per message that leaves the system, so that none is sent twice."""

from __future__ import annotations

from django.db import models


class Delivery(models.Model):
    """One e-mail (web hooks come with the partner API) to one recipient.

    `key` names what the message is about (e.g. "grants.assigned:42:7"): asking twice for the same
    key gives the same row, and a row once sent is never sent again. Bodies carry references and
    links only, never a name, a place or a narrative."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed after retries"

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.channel} {self.key} ({self.status})"
