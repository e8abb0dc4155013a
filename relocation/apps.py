"""Host institutions, temporary relocations and stipends."""

from django.apps import AppConfig

# How a case's timeline says each relocation-specific audit action: "<who> <phrase>"
# (protect.audit.phrases); what every case shares (submitted, routed, notes, files…) the kernel says.
AUDIT_PHRASES = {
    "relocation.relocation.assess": "recorded the assessment and started looking for a host",
    "relocation.relocation.match": "matched a host institution",
    "relocation.relocation.start_residence": "started the residence",
    "relocation.relocation.extend": "extended the stay",
    "relocation.relocation.end": "ended the stay",
    "relocation.relocation.cancel": "cancelled the relocation",
    "relocation.relocation.created_from_grant": "opened the relocation from an emergency grant",
    "relocation.family.added": "added a family member",
    "relocation.family.removed": "removed a family member",
    "relocation.preparation.updated": "updated the preparation checklist",
    "relocation.relocation.preparation_warned": "warned that the start nears with preparation open",
    "relocation.budget.line_added": "added a budget line",
    "relocation.budget.line_removed": "removed a budget line",
    "relocation.stipend.created": "wrote a month's stipend instalment",
    "relocation.stipend.confirmed": "confirmed a stipend as paid",
    "relocation.checkin.recorded": "recorded the follow-up check-in",
}


class RelocationConfig(AppConfig):
    name = "relocation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from protect.audit.phrases import register_phrases
        from protect.cases.payments import PaymentSection, register_payment_section
        from protect.cases.services.sla import on_sla_sweep

        from . import workflow  # noqa: F401  registers the relocation table with the engine
        from .services.preparation import relocations_warn_preparation
        from .views import stipend_payment_rows

        register_phrases(AUDIT_PHRASES)
        on_sla_sweep(relocations_warn_preparation)
        register_payment_section(PaymentSection(key="relocation.stipends", title=_("Relocation stipends to confirm"),
                                                template="relocation/staff/_stipends_section.html",
                                                rows=stipend_payment_rows))
