"""The audit log: append-only, each event chained to the previous one by a keyed hash (HMAC-SHA256)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Audit events cannot be deleted.")

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """One thing that happened. `hash` = HMAC-SHA256 under the audit key `key_id` of the previous
    event's hash and the canonical event (protect.audit.chain).

    The database refuses UPDATE and DELETE on this table (trigger, PostgreSQL) and the application's
    role may only INSERT and SELECT (README "Audit"); the keyed chain makes any edit that bypasses
    both visible to `manage.py verify_audit`, and checkpoints kept elsewhere make a cut-off tail visible."""

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=32)  # which audit key chained it (the ring rotates; protect.audit.keys)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "seq"], name="audit_by_target"),
            models.Index(fields=["action", "seq"], name="audit_by_action"),
            models.Index(fields=["actor", "seq"], name="audit_by_actor"),
        ]
        permissions = [("view_audit_log", "Can read the audit log")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")
