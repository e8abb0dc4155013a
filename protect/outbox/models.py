"""The outbox: a task to run, written in the same transaction as the change that needs it."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    """One task call that must survive a broker outage. Relayed at least once; tasks are idempotent."""

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    relayed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="outbox_pending", condition=models.Q(relayed_at=None))]

    def __str__(self) -> str:
        return f"{self.task_name}({self.kwargs})"
