"""Reads of the audit log: scoped to who may read it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet

from protect.accounts.permissions import is_coordinator

from .models import AuditEvent


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """Only coordinators read the whole log (it names staff and cases)."""
    if not is_coordinator(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor")


def audit_events_for(target: models.Model) -> QuerySet[AuditEvent]:
    """The timeline of one record, oldest first. Callers have already checked access to `target`."""
    return AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk)).select_related(
        "actor"
    ).order_by("seq")
