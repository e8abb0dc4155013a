"""Emergency grants: a kind of case (intake details, review, decision, disbursement, reporting)."""

from django.apps import AppConfig

# How a case's timeline says each grant-specific audit action: "<who> <phrase>" (protect.audit.phrases);
# what every case shares (submitted, routed, notes, files, messages…) the kernel says.
AUDIT_PHRASES = {
    "grants.grant.request_info": "put the case on hold for the requester's answer",
    "grants.grant.info_received": "resumed triage",
    "grants.grant.eligibility_checked": "updated the eligibility checklist",
    "grants.grant.submit_for_review": "sent the case for review",
    "grants.grant.reviewed": "recorded a review",
    "grants.grant.return_to_triage": "returned the case to triage",
    "grants.grant.approval_recorded": "approved; a second approval is still needed",
    "grants.grant.second_approver_assigned": "asked a second approver to co-sign",
    "grants.grant.approve": "approved the grant",
    "grants.grant.reject": "rejected the request",
    "grants.grant.refer": "referred the case to another mechanism",
    "grants.grant.withdraw": "withdrew the request",
    "grants.grant.start_disbursing": "started paying the grant",
    "grants.grant.fully_paid": "marked the grant fully paid",
    "grants.disbursement.recorded": "recorded a payment",
    "grants.report.received": "received the report",
    "grants.report.waived": "waived the report",
    "grants.report.reminder_sent": "sent a reminder for the report",
    "grants.grant.close": "closed the case",
}


class GrantsConfig(AppConfig):
    name = "grants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from protect.audit.phrases import register_phrases
        from protect.cases.payments import PaymentSection, register_payment_section

        from . import workflow  # noqa: F401  registers the grant table with the engine
        from .views import payment_rows

        register_phrases(AUDIT_PHRASES)
        register_payment_section(PaymentSection(key="grants", title=_("Grants to pay"),
                                                template="grants/staff/_payments_section.html", rows=payment_rows))
