"""Urgent alerts: consent, translations, review, publication, distribution."""

from django.apps import AppConfig

# How a case's timeline says each alert-specific audit action: "<who> <phrase>" (protect.audit.phrases);
# what every case shares (submitted, routed, notes, files…) the kernel says.
AUDIT_PHRASES = {
    "alerts.alert.edited": "edited the alert",
    "alerts.translation.saved": "wrote a translation",
    "alerts.translation.reviewed": "reviewed a translation",
    "alerts.consent.recorded": "recorded the defender's consent",
    "alerts.consent.revoked": "revoked the defender's consent",
    "alerts.alert.submit_for_review": "sent the alert for review",
    "alerts.alert.return_to_draft": "returned the alert to draft",
    "alerts.alert.approve": "approved the alert",
    "alerts.alert.publish": "published the alert",
    "alerts.alert.update": "sent an update",
    "alerts.alert.distributed": "queued the deliveries",
    "alerts.alert.close": "closed the alert",
    "alerts.alert.withdraw": "withdrew the alert",
}


class AlertsConfig(AppConfig):
    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from protect.audit.phrases import register_phrases

        from . import workflow  # noqa: F401  registers the alert table with the engine

        register_phrases(AUDIT_PHRASES)
