"""Reads of alerts, scoped by the case kernel (case_scope): the desk, one alert's deliveries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from protect.cases.selectors import cases_visible_to
from protect.delivery.models import Delivery

from .models import Alert


def alerts_on_desk(user: Any) -> dict[str, list[Alert]]:
    """The alerts this user may see, by state (references and deadlines only: nothing decrypted)."""
    by_state: dict[str, list[Alert]] = {status: [] for status in Alert.Status.values}
    for alert in cases_visible_to(user, Alert).order_by("sla_due_at", "pk"):
        by_state[alert.status].append(alert)
    return by_state


def alert_deliveries(alert: Alert) -> QuerySet[Delivery]:
    """Every delivery of this alert (its keys start with the alert's), newest first."""
    return Delivery.objects.filter(key__startswith=f"alerts.alert:{alert.pk}:").order_by("-created_at", "-pk")
