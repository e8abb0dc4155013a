"""The shapes of the partner API. Input serializers check types and refuse unknown fields; every
rule of the domain stays in the kinds' services. Output serializers say only what a partner may
know: references, statuses in plain words, dates, and its own conversation."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grants.models import NeedKind, RiskKind
from grants.services.intake import RequestDetails
from protect.cases.models import Urgency
from protect.defenders.models import Kind, Profile
from relocation.models import FamilyMember, Relocation
from relocation.services.family import FamilyDetails
from relocation.services.intake import ApplicationDetails

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SAFE_CONTACT_CHANNELS = ["signal", "whatsapp", "telegram", "email", "phone", "partner", "none"]


class Strict(serializers.Serializer):
    """Refuses fields it does not know: a misspelt field is an error, never silently dropped."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = {name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))} if isinstance(
            data, dict) else {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Every refusal in one answer: the unknown names beside the other fields' errors.
            raise serializers.ValidationError(unknown | dict(exc.detail)) from None  # type: ignore[arg-type]
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


def _text(max_length: int, *, required: bool = False, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=required, allow_blank=not required,
                                 default=serializers.empty if required else "", trim_whitespace=True, **kwargs)


class DefenderIn(Strict):
    pseudonym = _text(100, required=True, help_text="A name to call the defender by; the legal name may come later.")
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO 3166 alpha-2 country code.")
    kind = serializers.ChoiceField(choices=Kind.values, default=Kind.PERSON)
    location = _text(200, help_text="Region or city.")
    profiles = serializers.ListField(child=serializers.ChoiceField(choices=Profile.values), default=list,
                                     max_length=len(Profile.values))
    contact_channel = serializers.ChoiceField(choices=SAFE_CONTACT_CHANNELS, default="partner",
                                              help_text="How the mechanism may reach the defender; "
                                                        "`partner` means through you.")
    contact = _text(200, help_text="The address on that channel, if any.")
    safe_contact = _text(1000, help_text="When and how it is safe to contact them: safe hours, code word, "
                                         "what must never be said.")


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,2})?$", "example": "2500.00"})
class AmountField(serializers.Field):  # type: ignore[type-arg]
    """A decimal amount in major units as a string ("2500.00"), at most two decimals; to minor units."""

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or len(data) > 20:
            raise serializers.ValidationError("Write the amount as a decimal string, for example \"2500.00\".")
        try:
            amount = Decimal(data.strip())
        except InvalidOperation:
            raise serializers.ValidationError("Write the amount as a decimal string, for example \"2500.00\".") \
                from None
        if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise serializers.ValidationError("The amount must be positive, with at most two decimals.")
        return int(amount * 100)

    def to_representation(self, value: int) -> str:
        return f"{Decimal(value) / 100:.2f}"


class GrantRequestIn(Strict):
    needs = serializers.ListField(child=serializers.ChoiceField(choices=NeedKind.values), min_length=1,
                                  max_length=len(NeedKind.values))
    risk_kinds = serializers.ListField(child=serializers.ChoiceField(choices=RiskKind.values), min_length=1,
                                       max_length=len(RiskKind.values))
    amount_requested = AmountField(help_text="In major units, as a string: \"2500.00\".")
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217, e.g. EUR.")
    incident = _text(10000, help_text="What happened. This or `threat` is required.")
    threat = _text(10000, help_text="The threat now. This or `incident` is required.")
    need_details = _text(10000)
    other_funding = _text(2000)


class FamilyMemberIn(Strict):
    age_band = serializers.ChoiceField(choices=FamilyMember.AgeBand.values)
    needs = _text(1000)


class RelocationRequestIn(Strict):
    applicant = serializers.ChoiceField(choices=Relocation.Applicant.values, default=Relocation.Applicant.THIRD_PARTY)
    risk = _text(10000, required=True)
    why_relocation = _text(10000, required=True, help_text="Why relocation rather than other measures.")
    preferred_country = _text(100)
    why_country = _text(2000)
    visa_plan = _text(2000)
    travel_security_plan = _text(2000)
    planned_activities = _text(2000)
    other_funders = _text(2000)
    intended_return_on = serializers.DateField(required=False, allow_null=True, default=None)
    return_strategy = _text(2000)
    family = FamilyMemberIn(many=True, required=False, default=list)


class ReferralIn(Strict):
    kind = serializers.ChoiceField(choices=["grant", "relocation"])
    language = serializers.ChoiceField(choices=LANGUAGES, default="en",
                                       help_text="The defender's language.")
    urgency = serializers.ChoiceField(choices=Urgency.values)
    defender = DefenderIn()
    grant = GrantRequestIn(required=False)
    relocation = RelocationRequestIn(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs["kind"]
        other = "relocation" if kind == "grant" else "grant"
        if kind not in attrs:
            raise serializers.ValidationError({kind: [f"Required when kind is {kind}."]})
        if other in attrs:
            raise serializers.ValidationError({other: [f"Only `{kind}` goes with kind {kind}."]})
        return attrs

    def details(self) -> RequestDetails | ApplicationDetails:
        data = self.validated_data
        if data["kind"] == "grant":
            g = data["grant"]
            return RequestDetails(
                risk_kinds=g["risk_kinds"], urgency=data["urgency"], needs=g["needs"],
                amount_requested_minor=g["amount_requested"], currency=g["currency"].upper(),
                incident=g["incident"], threat=g["threat"], need_details=g["need_details"],
                other_funding=g["other_funding"], language=data["language"],
            )
        r = dict(data["relocation"])
        family = [FamilyDetails(age_band=m["age_band"], needs=m["needs"]) for m in r.pop("family")]
        return ApplicationDetails(urgency=data["urgency"], language=data["language"], family=family, **r)

    def defender_data(self) -> dict[str, Any]:
        """The defender as defenders.services records one (the same keys as the public form)."""
        data, language = self.validated_data["defender"], self.validated_data["language"]
        channel, contact = data["contact_channel"], data["contact"]
        secure_channels: dict[str, Any] = {"preferred": channel}
        if data["safe_contact"]:
            secure_channels["notes"] = data["safe_contact"]
        return {
            "kind": data["kind"], "pseudonym": data["pseudonym"], "legal_name": "",
            "country": data["country"].upper(), "location": data["location"],
            "contacts": {channel: contact} if channel != "none" and contact else {},
            "secure_channels": secure_channels, "languages": [language], "profiles": data["profiles"],
        }


class ReferralOut(serializers.Serializer):
    reference = serializers.CharField(help_text="The case's reference: G- for a grant, R- for a relocation.")
    kind = serializers.CharField()
    status = serializers.CharField(help_text="The case's stage (a code).")
    status_text = serializers.CharField(help_text="The stage in plain words.")
    urgency = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField(allow_null=True)
    messages_url = serializers.CharField()


class MessageIn(Strict):
    body = _text(10000, required=True)


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    sender = serializers.ChoiceField(choices=["caseworker", "partner"])
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class WebhookIn(Strict):
    url = serializers.CharField(max_length=500, help_text="https only.")
    events = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list,
                                   max_length=5)


class WebhookOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(help_text="The signing secret (Standard Webhooks, whsec_…): shown once.")


class DeliveryOut(serializers.Serializer):
    id = serializers.IntegerField()
    webhook_id = serializers.CharField(help_text="The `webhook-id` header the receiver saw.")
    event = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "sent", "failed", "cancelled"])
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class ProblemOut(serializers.Serializer):
    """Problem details (RFC 9457)."""

    type = serializers.CharField(help_text="Where the docs explain this kind of error.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="A stable code to branch on.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text="Messages by field (nested fields joined with dots).")
