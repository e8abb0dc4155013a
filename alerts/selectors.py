"""Reads of alerts, scoped by the case kernel (case_scope): the desk, one alert's deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from protect.cases.selectors import cases_visible_to
from protect.delivery.models import Delivery

from .models import Alert
from .services.follow_ups import follow_up_quiet_before


def alerts_on_desk(user: Any) -> dict[str, list[Alert]]:
    """The alerts this user may see, by state (references and deadlines only: nothing decrypted)."""
    by_state: dict[str, list[Alert]] = {status: [] for status in Alert.Status.values}
    for alert in cases_visible_to(user, Alert).order_by("sla_due_at", "pk"):
        by_state[alert.status].append(alert)
    return by_state


def alert_deliveries(alert: Alert) -> QuerySet[Delivery]:
    """Every delivery of this alert (its keys start with the alert's), newest first."""
    return Delivery.objects.filter(key__startswith=f"alerts.alert:{alert.pk}:").order_by("-created_at", "-pk")


def alert_quiet_since(alert: Alert) -> datetime | None:
    """When the last news of this published alert went out, if that is long enough ago to follow up."""
    if alert.status == Alert.Status.PUBLISHED and alert.last_update_at is not None \
            and alert.last_update_at <= follow_up_quiet_before():
        return alert.last_update_at
    return None


def alerts_due_for_follow_up(user: Any) -> list[Alert]:
    """The published alerts this user may see that have had no news for too long, quietest first."""
    return list(cases_visible_to(user, Alert).filter(status=Alert.Status.PUBLISHED,
                                                     last_update_at__lte=follow_up_quiet_before())
                .order_by("last_update_at", "pk"))
