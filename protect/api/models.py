"""What the partner API keeps of its own: the index of each partner's referrals (one list across
every kind of case), the answers to idempotent POSTs, and web hook subscriptions. Cases, messages
and deliveries themselves stay in their apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from protect.crypto.fields import EncryptedTextField
from protect.crypto.models import SelfKeyedModel


class Referral(models.Model):
    """One case a partner referred through the API: the partner's list reads this table, in one
    query and one order whatever the kind, and the status hook finds the partner of a case here."""

    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals")
    case_type = models.CharField(max_length=100)  # the kind's model label: "grants.grant"
    case_id = models.BigIntegerField()
    kind = models.CharField(max_length=20)  # "grant", "relocation"
    reference = models.CharField(max_length=12, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case_type", "case_id"], name="one_referral_per_case")]
        indexes = [models.Index(fields=["partner", "-id"], name="referral_by_partner")]

    def __str__(self) -> str:
        return self.reference


class ReferralStatus(models.Model):
    """A referral with its case's status, whatever the kind: a database view (migration 0003, a
    UNION of one join per kind a partner may refer), so the partner's list and a referral's read
    are one plain query. Read only."""

    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+")
    case_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)
    reference = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+",
                                    null=True)  # the case's own field, which the kernel's scope reads
    status = models.CharField(max_length=20)
    urgency = models.CharField(max_length=10)
    submitted_at = models.DateTimeField()
    status_changed_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "api_referralstatus"

    def __str__(self) -> str:
        return self.reference


class IdempotentRequest(SelfKeyedModel):
    """The first answer to a POST carrying an `Idempotency-Key`: the same key with the same body
    gets it again, with another body a 422. Kept 24 hours (`api.purge_idempotency_keys`). The answer
    is sealed under the row's own key: it may hold a web hook's secret."""

    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField()
    response = EncryptedTextField(blank=True)  # the JSON answer
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"idempotency key of partner {self.partner_id}"


class WebhookSubscription(models.Model):
    """A partner's receiver for the status changes of its referrals, signed as alert web hooks are
    (one endpoint, one signing code in protect/delivery)."""

    class Event(models.TextChoices):
        REFERRAL_STATUS = "referral.status_changed", _("A referral's status changed")
        REFERRAL_MESSAGE = "referral.message", _("A caseworker wrote about a referral")

    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhooks")
    endpoint = models.OneToOneField("delivery.WebhookEndpoint", on_delete=models.PROTECT, related_name="+")
    events = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["partner"], name="webhook_live_by_partner",
                                condition=models.Q(deleted_at=None))]

    def __str__(self) -> str:
        return f"web hook {self.pk} of partner {self.partner_id}"


class TokenRequest(models.Model):
    """One request made with a token, written as it is answered (one cheap insert, no lock) and
    folded into the audit chain by `api.audit_token_requests` within one beat cycle: every request
    is audited with the token's identity, and a read does not queue behind the chain's lock."""

    token = models.ForeignKey("accounts.ApiToken", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)  # /api/v1/… with references only, never a query string
    status = models.PositiveSmallIntegerField()
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
