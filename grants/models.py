"""Emergency grants: the request, its approvals, payments, messages, notes, files and report.

Every narrative or identifying value is encrypted under the defender's data key (protect.crypto);
amounts are integer minor units with an ISO currency, plus their EUR value at a recorded rate for
statistics. `status` is written only by grants/workflow.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from protect.cases.models import Case, CaseEscalation, CaseFile, CaseMessage, CaseNote, case_indexes, reference_field
from protect.crypto.blind import blind_index
from protect.crypto.fields import EncryptedJSONField, EncryptedTextField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Status groups, one name per meaning; the workflow table (grants/workflow.py) is built on them.
OPEN = ["submitted", "triage", "info_requested", "under_review", "approved", "disbursing", "reporting"]
AWAITING_DECISION = ["submitted", "triage", "info_requested", "under_review"]  # the answer deadline runs
DECIDABLE = ["triage", "info_requested", "under_review"]  # a caseworker or reviewer may still say no
FUNDED = ["approved", "disbursing", "reporting", "closed"]  # money was granted: finance sees these


class NeedKind(models.TextChoices):
    PHYSICAL_SECURITY = "physical_security", _("Physical security")
    DIGITAL_SECURITY = "digital_security", _("Digital security")
    COMMUNICATIONS = "communications", _("Communications")
    SECURITY_TRAINING = "security_training", _("Security training")
    SECURE_TRANSPORT = "secure_transport", _("Secure transport")
    LEGAL = "legal", _("Legal support")
    MEDICAL = "medical", _("Medical care (psychosocial included)")
    HUMANITARIAN = "humanitarian", _("Humanitarian needs (family included)")
    URGENT_RELOCATION = "urgent_relocation", _("Urgent relocation")
    MONITORING_ADVOCACY = "monitoring_advocacy", _("Urgent monitoring or advocacy")
    OTHER = "other", _("Other")


class RiskKind(models.TextChoices):
    THREATS = "threats", _("Threats")
    PHYSICAL_ATTACK = "physical_attack", _("Physical attack")
    JUDICIAL_HARASSMENT = "judicial_harassment", _("Judicial harassment")
    DETENTION = "detention", _("Detention or arrest")
    SURVEILLANCE = "surveillance", _("Surveillance")
    SMEAR_CAMPAIGN = "smear_campaign", _("Smear campaign")
    SGBV = "sgbv", _("Sexual or gender-based violence")
    RAID = "raid", _("Raid or break-in")
    FAMILY_TARGETED = "family_targeted", _("Family targeted")
    OTHER = "other", _("Other")


class Grant(Case):
    kind = "grant"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        TRIAGE = "triage", _("Triage")
        INFO_REQUESTED = "info_requested", _("Information requested")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        DISBURSING = "disbursing", _("Disbursing")
        REPORTING = "reporting", _("Reporting")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        REFERRED = "referred", _("Referred")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        REFER = "refer", _("Refer to another mechanism")

    reference = reference_field("G-")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)

    risk_kinds = models.JSONField(default=list)
    needs = models.JSONField(default=list)
    amount_requested_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    eur_rate = models.DecimalField(max_digits=12, decimal_places=6)
    amount_requested_eur_minor = models.PositiveBigIntegerField()
    incident = EncryptedTextField(blank=True)
    threat = EncryptedTextField(blank=True)
    need_details = EncryptedTextField(blank=True)
    other_funding = EncryptedTextField(blank=True)
    endorsers = EncryptedJSONField(default=list, blank=True)

    # Triage: the eligibility checklist (an HRD, at risk because of that work, urgent, no other source)
    eligible_hrd = models.BooleanField(default=False)
    eligible_risk = models.BooleanField(default=False)
    eligible_urgent = models.BooleanField(default=False)
    eligible_no_other_source = models.BooleanField(default=False)

    # Review
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="grants_to_review"
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="grants_to_cosign"
    )
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True)
    verification = models.JSONField(default=list, blank=True)
    review_note = EncryptedTextField(blank=True)
    proposed_amount_minor = models.PositiveBigIntegerField(null=True, blank=True)

    # Decision
    approved_amount_minor = models.PositiveBigIntegerField(null=True, blank=True)
    approved_amount_eur_minor = models.PositiveBigIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(blank=True)
    referred_to = EncryptedTextField(blank=True, max_length=200)  # who took the case over: says where they are

    # Reporting
    report_due_at = models.DateTimeField(null=True, blank=True)
    report_reminders_sent = models.PositiveSmallIntegerField(default=0)
    report_waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_waiver_reason = EncryptedTextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = case_indexes("grant", OPEN)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_amount_minor__isnull=True) | models.Q(approved_amount_minor__gt=0),
                name="grant_approved_amount_positive",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("grants:case", args=[self.reference])

    # One plain sentence per status, as the requester reads it on the status page.
    REQUESTER_SENTENCES: ClassVar[dict[str, StrOrPromise]] = {
        Status.SUBMITTED: _("We received your request. A caseworker will look at it soon."),
        Status.TRIAGE: _("We are looking at your request."),
        Status.INFO_REQUESTED: _("We asked you a question: please answer below."),
        Status.UNDER_REVIEW: _("Your request is being reviewed for a decision."),
        Status.APPROVED: _("Your grant was approved; payment is being arranged."),
        Status.DISBURSING: _("Your grant is being paid."),
        Status.REPORTING: _("Your grant was paid. We may ask you how it was used."),
        Status.CLOSED: _("Your grant is complete and the request is closed."),
        Status.REJECTED: _("We cannot fund this request. We are sorry."),
        Status.REFERRED: _("We passed your request to another organisation that can help."),
        Status.WITHDRAWN: _("This request was withdrawn."),
    }

    @classmethod
    def sla_hours(cls) -> Mapping[str, float]:
        return settings.PROTECT_GRANT_SLA_HOURS

    def relocation_brief(self) -> Mapping[str, str] | None:
        if NeedKind.URGENT_RELOCATION not in self.needs:
            return None
        return {"risk": "\n\n".join(part for part in (self.incident, self.threat) if part),
                "why_relocation": self.need_details, "other_funders": self.other_funding}


class GrantUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Grant, on_delete=models.CASCADE)


class GrantGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Grant, on_delete=models.CASCADE)


class Approval(models.Model):
    """One approver's yes. Unique per approver: a double click is still one approval."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount_minor = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grant", "approver"], name="one_approval_per_approver")]

    def __str__(self) -> str:
        return f"approval of grant {self.grant_id} by user {self.approver_id}"


PAYMENT_REFERENCE = "payment_reference"  # the blind index's kind for payment references


def payment_reference_index(reference: str) -> str:
    return blind_index(PAYMENT_REFERENCE, reference)


class Disbursement(models.Model):
    """One payment. The payment reference is unique in the whole database: a retried payment is one row."""

    class Payee(models.TextChoices):
        DEFENDER = "defender", _("The defender")
        THIRD_PARTY = "third_party", _("A third party (lawyer, hospital…)")
        INTERMEDIARY = "intermediary", _("An intermediary organisation")

    crypto_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="disbursements")
    # A bank or mobile-money reference leads to an account, so to a person: encrypted. One payment is
    # one row through its keyed blind index (protect/crypto/blind.py), unique without the plaintext.
    payment_reference = EncryptedTextField(max_length=100)
    payment_reference_index = models.CharField(max_length=64, editable=False)
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    payee_kind = models.CharField(max_length=20, choices=Payee.choices)
    payee_details = EncryptedTextField(blank=True)
    paid_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment_reference_index"], name="one_row_per_payment_reference"),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="disbursement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"payment {self.pk}"  # never the reference: __str__ ends up in admin logs

    def get_data_key(self) -> Any:
        return self.grant.get_data_key()


class Message(CaseMessage):
    case = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="messages")


class Note(CaseNote):
    case = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="notes")


class GrantFile(CaseFile):
    case = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="files")


class Report(models.Model):
    """The defender's report on how the grant was used (narrative + receipts)."""

    crypto_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.OneToOneField(Grant, on_delete=models.CASCADE, related_name="report")
    narrative = EncryptedTextField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"report on grant {self.grant_id}"

    def get_data_key(self) -> Any:
        return self.grant.get_data_key()


class Escalation(CaseEscalation):
    case = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="escalations")
