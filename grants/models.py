"""Emergency grants: the request, its approvals, payments, messages, notes, files and report.

Every narrative or identifying value is encrypted under the defender's data key (protect.crypto);
amounts are integer minor units with an ISO currency, plus their EUR value at a recorded rate for
statistics. `status` is written only by grants/workflow.py.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from protect.crypto.fields import EncryptedJSONField, EncryptedTextField

_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over a phone line


def new_grant_reference() -> str:
    return "G-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))


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


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Critical: in danger now")
    HIGH = "high", _("High: within days")
    NORMAL = "normal", _("Normal: within weeks")


class Channel(models.TextChoices):
    PUBLIC_FORM = "public_form", _("Public request form")
    HOTLINE = "hotline", _("Hotline (phone or secure messenger)")
    PARTNER = "partner", _("Partner referral")


_OPEN_Q = models.Q(status__in=[
    "submitted", "triage", "info_requested", "under_review", "approved", "disbursing", "reporting",
])


class Grant(models.Model):
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

    OPEN_STATUSES = (
        Status.SUBMITTED, Status.TRIAGE, Status.INFO_REQUESTED, Status.UNDER_REVIEW, Status.APPROVED,
        Status.DISBURSING, Status.REPORTING,
    )

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        REFER = "refer", _("Refer to another mechanism")

    reference = models.CharField(max_length=12, unique=True, default=new_grant_reference, editable=False)
    crypto_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    defender = models.ForeignKey("defenders.Defender", on_delete=models.PROTECT, related_name="grants")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    # Intake
    channel = models.CharField(max_length=20, choices=Channel.choices)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="en")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referred_grants"
    )
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=30)
    risk_kinds = models.JSONField(default=list)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
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

    # Requester access: receipt code (looked up by keyed hash) + passphrase (password hash)
    receipt_index = models.CharField(max_length=64, unique=True, null=True, blank=True)
    passphrase_hash = models.CharField(max_length=200, blank=True)
    status_failures = models.PositiveIntegerField(default=0)
    status_locked_until = models.DateTimeField(null=True, blank=True)

    # Routing
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="grants")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="grants_assigned"
    )
    routed_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField()  # set at intake from the urgency; the queue is ordered by it
    sla_near_at = models.DateTimeField(db_index=True)  # when the "near its deadline" escalation fires

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
    referred_to = models.CharField(max_length=200, blank=True)

    # Reporting
    report_due_at = models.DateTimeField(null=True, blank=True)
    report_reminders_sent = models.PositiveSmallIntegerField(default=0)
    report_waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_waiver_reason = EncryptedTextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The queue walks open cases in deadline order: partial indexes on open statuses let it
        # stop after one page instead of sorting every open case.
        indexes = [
            models.Index(fields=["sla_due_at", "id"], name="grant_open_by_deadline", condition=_OPEN_Q),
            models.Index(fields=["team", "sla_due_at", "id"], name="grant_team_open_by_deadline", condition=_OPEN_Q),
            models.Index(fields=["caseworker", "sla_due_at", "id"], name="grant_cw_open_by_deadline",
                         condition=_OPEN_Q),
            models.Index(fields=["status", "sla_due_at", "id"], name="grant_status_sla"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_amount_minor__isnull=True) | models.Q(approved_amount_minor__gt=0),
                name="grant_approved_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_data_key(self) -> Any:
        return self.defender.get_data_key()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


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


class Disbursement(models.Model):
    """One payment. The payment reference is unique in the whole database: a retried payment is one row."""

    class Payee(models.TextChoices):
        DEFENDER = "defender", _("The defender")
        THIRD_PARTY = "third_party", _("A third party (lawyer, hospital…)")
        INTERMEDIARY = "intermediary", _("An intermediary organisation")

    crypto_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="disbursements")
    payment_reference = models.CharField(max_length=100)
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    payee_kind = models.CharField(max_length=20, choices=Payee.choices)
    payee_details = EncryptedTextField(blank=True)
    paid_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment_reference"], name="one_row_per_payment_reference"),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="disbursement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"payment {self.payment_reference}"

    def get_data_key(self) -> Any:
        return self.grant.get_data_key()


class Message(models.Model):
    """A question from a caseworker to the requester, or the requester's answer (status page)."""

    class Direction(models.TextChoices):
        TO_REQUESTER = "to_requester", _("To the requester")
        FROM_REQUESTER = "from_requester", _("From the requester")

    crypto_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    body = EncryptedTextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.direction} message on grant {self.grant_id}"

    def get_data_key(self) -> Any:
        return self.grant.get_data_key()


class Note(models.Model):
    """A caseworker's internal note on a case."""

    crypto_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on grant {self.grant_id}"

    def get_data_key(self) -> Any:
        return self.grant.get_data_key()


class GrantFile(models.Model):
    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", _("Attachment from the request")
        RECEIPT = "receipt", _("Receipt for the report")
        DOCUMENT = "document", _("Case document")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="files")
    file = models.OneToOneField("crypto.EncryptedFile", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} of grant {self.grant_id}"


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


class Escalation(models.Model):
    """An SLA threshold crossed and escalated to the team's coordinator: once per threshold."""

    class Threshold(models.TextChoices):
        NEAR = "near", _("Near its deadline")
        OVERDUE = "overdue", _("Past its deadline")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="escalations")
    threshold = models.CharField(max_length=10, choices=Threshold.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grant", "threshold"], name="one_escalation_per_threshold")]

    def __str__(self) -> str:
        return f"{self.threshold} escalation of grant {self.grant_id}"
