"""Grant use cases, one module per job: intake, decision, disbursement, reporting. The only code
that writes grants; what every case shares (routing, the case file, requester access) is the
kernel's (protect/cases/services)."""

from .decision import (
    VERIFICATION_CHOICES,
    grant_approve,
    grant_check_and_submit_for_review,
    grant_record_review,
    grant_submit_for_review,
    grant_update_eligibility,
)
from .disbursement import RecordedPayment, grant_record_disbursement, grant_record_payment
from .intake import RequestDetails, grant_record_hotline, grant_refer_from_partner, grant_submit_public
from .reporting import grant_receive_report, grant_waive_report, grants_send_report_reminders

__all__ = [
    "VERIFICATION_CHOICES",
    "RecordedPayment",
    "RequestDetails",
    "grant_approve",
    "grant_check_and_submit_for_review",
    "grant_receive_report",
    "grant_record_disbursement",
    "grant_record_hotline",
    "grant_record_payment",
    "grant_record_review",
    "grant_refer_from_partner",
    "grant_submit_for_review",
    "grant_submit_public",
    "grant_update_eligibility",
    "grant_waive_report",
    "grants_send_report_reminders",
]
