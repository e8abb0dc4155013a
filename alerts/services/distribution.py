"""Distribution: one delivery (protect.delivery) per recipient in a tier both the alert and the
consent in force allow, in the recipient's language when a reviewed translation exists.

Each delivery is keyed by alert, step ("publish" or "update:<key>") and recipient, so a fan-out
that runs twice (a retried task, a worker killed half-way) records and sends nothing twice."""

from __future__ import annotations

import logging

from django.db import transaction

from protect.audit.services import log_event
from protect.delivery.services import delivery_email, delivery_webhook

from ..models import Alert, AlertConsent, AlertUpdate, Recipient
from .translations import alert_text_consented

logger = logging.getLogger(__name__)


def _message(alert: Alert, scope: AlertConsent, recipient: Recipient, news: str) -> tuple[str, dict[str, str]]:
    language, texts = alert_text_consented(alert, scope, recipient.language)
    return language, texts | ({"news": news} if news else {})


def _email_body(alert: Alert, texts: dict[str, str]) -> str:
    parts = [texts["title"], "", texts["summary"], "", texts["facts"], "", texts["requested_actions"]]
    if texts.get("news"):
        parts = ["UPDATE: " + texts["news"], "", *parts]
    return "\n".join([*parts, "", f"Reference: {alert.reference}", ""])


def alert_distribute(*, alert_id: int, step: str) -> int:
    """Record (and queue) the deliveries of one publication or update; returns how many are recorded."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("defender").filter(pk=alert_id).first()
        if alert is None or alert.status != Alert.Status.PUBLISHED:
            return 0  # withdrawn or closed since: nothing more goes out
        scope = alert.consent_in_force()
        if scope is None:
            logger.info("alert %s: no consent in force, nothing distributed", alert.pk)
            return 0
        news = ""
        if step.startswith("update:"):
            update = AlertUpdate.objects.filter(alert=alert, key=step.removeprefix("update:")).first()
            if update is None:
                return 0
            news = update.news
        tiers = sorted(set(alert.tiers) & set(scope.tiers))
        recipients = Recipient.objects.filter(active=True, tier__in=tiers).select_related("endpoint").order_by("pk")
        list(alert.translations.all())  # read once for every recipient
        event = "alert.updated" if news else "alert.published"
        sealed_under = alert.get_data_key()  # the outbound log keeps no readable copy of the defender's text
        count = 0
        for recipient in recipients:
            language, texts = _message(alert, scope, recipient, news)
            key = f"alerts.alert:{alert.pk}:{step}:{recipient.pk}"
            if recipient.channel == Recipient.Channel.WEBHOOK:
                assert recipient.endpoint is not None
                delivery_webhook(key=key, endpoint=recipient.endpoint, event=event, consent=scope.consent,
                                 payload={"reference": alert.reference, "language": language, **texts},
                                 sealed_under=sealed_under)
            else:
                delivery_email(key=key, to=recipient.email, subject=f"[{alert.reference}] {texts['title']}",
                               body=_email_body(alert, texts), consent=scope.consent, sealed_under=sealed_under)
            count += 1
        log_event("alerts.alert.distributed", actor=None, target=alert,
                  data={"step": step[:120], "tiers": tiers, "deliveries": count})
    return count
