"""Reads of alerts, scoped by the case kernel (case_scope): the desk, one alert's deliveries; and
the recipients, which only coordinators see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from protect.accounts.permissions import is_coordinator
from protect.cases.selectors import cases_visible_to
from protect.core.errors import NotFound
from protect.delivery.models import Delivery

from .models import Alert, Recipient, Tier
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


@dataclass(frozen=True)
class DeliveryRow:
    """One line of an alert's delivery report: to whom, for which step, and what became of it."""

    delivery: Delivery
    recipient: Recipient | None  # None: the recipient row is gone from the list (never deleted so far)
    step: str  # "publish" or "update"
    outcome: str  # sent, retrying, waiting, failed or cancelled
    reason: str
    tier: str  # the recipient's tier and the delivery's channel, as labels ("" for no recipient)
    channel: str


# By code, translated once a report: Django's get_<field>_display rebuilds the field's choices,
# translating every label, on each call, which a report of a thousand deliveries did twice a row.
TIER_LABELS = dict(Tier.choices)
CHANNEL_LABELS = dict(Delivery.Channel.choices)


def _outcome(delivery: Delivery) -> str:
    status = delivery.status
    if status == "pending":
        return "retrying" if delivery.attempts else "waiting"
    return status


def alert_delivery_report(alert: Alert) -> list[DeliveryRow]:
    """Every delivery of this alert, newest first, each beside the recipient it went to (two
    queries: the deliveries, then their recipients with their keys for the names)."""
    deliveries = list(alert_deliveries(alert)[:1000])
    recipient_ids = {int(d.key.rsplit(":", 1)[1]) for d in deliveries}
    recipients = Recipient.objects.select_related("data_key").in_bulk(recipient_ids)
    tiers = {code: str(label) for code, label in TIER_LABELS.items()}
    channels = {code: str(label) for code, label in CHANNEL_LABELS.items()}
    rows = []
    for delivery in deliveries:
        parts = delivery.key.split(":")  # alerts.alert:<alert>:publish:<recipient> or …:update:<key>:<recipient>
        recipient = recipients.get(int(parts[-1]))
        rows.append(DeliveryRow(delivery=delivery, recipient=recipient, step=parts[2], outcome=_outcome(delivery),
                                reason=delivery.last_error,
                                tier=tiers.get(recipient.tier, recipient.tier) if recipient else "",
                                channel=channels.get(delivery.channel, delivery.channel)))
    return rows


def recipients_visible_to(user: Any) -> QuerySet[Recipient]:
    """The recipients of alerts: coordinators manage them; nobody else lists them."""
    if not is_coordinator(user):
        return Recipient.objects.none()
    return Recipient.objects.select_related("data_key", "endpoint__data_key").order_by("-active", "tier", "pk")


def recipient_get_for(user: Any, recipient_id: int) -> Recipient:
    recipient = recipients_visible_to(user).filter(pk=recipient_id).first()
    if recipient is None:
        raise NotFound("No such recipient.")
    return recipient


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
