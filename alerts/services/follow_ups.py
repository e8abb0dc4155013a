"""Follow-ups: a published alert with no news for PROTECT_ALERT_FOLLOW_UP_DAYS reminds its caseworker
to send an update (or to close it), once per quiet period, by the same road as the kernel's
escalations: a row that exists once, an audit event and a keyed e-mail through protect.delivery,
all in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from protect.audit.services import log_event
from protect.delivery.services import delivery_email

from ..models import Alert, AlertFollowUp


def follow_up_quiet_before(now: datetime | None = None) -> datetime:
    """News older than this makes a published alert due for a follow-up."""
    return (now or timezone.now()) - timedelta(days=settings.PROTECT_ALERT_FOLLOW_UP_DAYS)


def alerts_send_follow_ups(*, now: datetime | None = None) -> int:
    """Remind the caseworker of every published alert quiet for too long; returns how many were
    reminded. Safe to run twice, or in two workers at once: one reminder per quiet period."""
    quiet_before = follow_up_quiet_before(now)
    due = (Alert.objects.filter(status=Alert.Status.PUBLISHED, last_update_at__lte=quiet_before)
           .exclude(Q(follow_ups__quiet_since=F("last_update_at"))))
    return sum(_remind(alert_id, quiet_before) for alert_id in due.values_list("pk", flat=True).iterator())


def _remind(alert_id: int, quiet_before: datetime) -> bool:
    try:
        with transaction.atomic():
            alert = (Alert.objects.select_for_update(of=("self",)).select_related("caseworker", "team__coordinator")
                     .get(pk=alert_id))
            if alert.status != Alert.Status.PUBLISHED or alert.last_update_at is None \
                    or alert.last_update_at > quiet_before:
                return False  # news went out, or it closed, since the query
            follow_up, created = AlertFollowUp.objects.get_or_create(alert=alert, quiet_since=alert.last_update_at)
            if not created:
                return False
            days = settings.PROTECT_ALERT_FOLLOW_UP_DAYS
            log_event("alerts.alert.follow_up_due", actor=None, target=alert, data={"days": days})
            person = alert.caseworker or (alert.team.coordinator if alert.team is not None else None)
            if person is not None:
                # A reference and a link only: never the alert's text or the defender's name in an e-mail.
                delivery_email(key=f"alerts.follow_up:{alert.pk}:{follow_up.pk}",
                               to=person.email, subject=f"Alert {alert.reference}: no news for {days} days",
                               body=f"Alert {alert.reference} has had no update for {days} days. Send an update "
                                    f"or close it in Protect: {alert.get_absolute_url()}\n")
            return True
    except IntegrityError:
        return False  # a concurrent sweep reminded it first
