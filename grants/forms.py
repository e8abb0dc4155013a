"""Forms of the staff pages: they parse and validate input; the services decide and write.

Amounts are typed in major units (EUR 1,250.50) and handed to services in minor units.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from protect.cases.models import Urgency
from protect.core.forms import MultipleFileField
from protect.defenders.forms import CountryField
from protect.defenders.models import Kind, Profile

from .models import Disbursement, Grant, NeedKind, RiskKind
from .services import VERIFICATION_CHOICES, RequestDetails

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MINOR_PER_MAJOR = 100  # every currency Protect pays in (PROTECT_EUR_RATES) has two decimals


def to_minor(amount: Decimal) -> int:
    return int((amount * MINOR_PER_MAJOR).to_integral_value())


def to_major(minor: int | None) -> Decimal | None:
    return None if minor is None else Decimal(minor) / MINOR_PER_MAJOR


def _amount_field(label: StrOrPromise, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _text(label: StrOrPromise, *, rows: int = 3, required: bool = True, max_length: int = 10_000) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}))


# --- the queue ----------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """GET filters of the queue; a value that does not validate is ignored, never an error page."""

    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open cases")), *Grant.Status.choices])
    urgency = forms.ChoiceField(label=_("Urgency"), required=False,
                                choices=[("", _("Any urgency")), *Urgency.choices])
    country = forms.CharField(label=_("Country (ISO code)"), required=False, max_length=2,
                              widget=forms.TextInput(attrs={"size": 3, "placeholder": "KE"}))
    need = forms.ChoiceField(label=_("Need"), required=False, choices=[("", _("Any need")), *NeedKind.choices])
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def clean_country(self) -> str:
        country: str = self.cleaned_data["country"].strip().upper()
        return country if re.fullmatch(r"[A-Z]{2}", country) else ""


# --- triage -------------------------------------------------------------------------------------


class EligibilityForm(forms.Form):
    hrd = forms.BooleanField(label=_("Is a human rights defender"), required=False)
    risk = forms.BooleanField(label=_("Is at risk because of that work"), required=False)
    urgent = forms.BooleanField(label=_("The need is urgent"), required=False)
    no_other_source = forms.BooleanField(label=_("No other source can cover it"), required=False)

    @classmethod
    def for_grant(cls, grant: Grant) -> EligibilityForm:
        return cls(initial={"hrd": grant.eligible_hrd, "risk": grant.eligible_risk, "urgent": grant.eligible_urgent,
                            "no_other_source": grant.eligible_no_other_source})


class QuestionForm(forms.Form):
    question = _text(_("Question to the requester (they read it on their status page)"), max_length=5_000)


class SubmitForReviewForm(forms.Form):
    reviewer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Reviewer"), queryset=None, empty_label=_("Choose a reviewer"))

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers  # type: ignore[attr-defined]


# --- review and decision ------------------------------------------------------------------------


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Grant.Recommendation.choices,
                                       widget=forms.RadioSelect)
    verification = forms.MultipleChoiceField(label=_("Verification done"), choices=list(VERIFICATION_CHOICES.items()),
                                             widget=forms.CheckboxSelectMultiple)
    note = _text(_("Review note (confidential)"), rows=4, required=False)
    proposed_amount = _amount_field(_("Proposed amount (optional)"), required=False)


class ApproveForm(forms.Form):
    amount = _amount_field(_("Amount approved"))
    second_approver: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Second approver"), queryset=None, required=False, empty_label=_("Choose a second approver"),
        help_text=_("Needed above EUR %(threshold)s.")
        % {"threshold": f"{settings.PROTECT_GRANT_SECOND_APPROVAL_EUR:,}"},
    )

    def __init__(self, *args: Any, second_approvers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["second_approver"].queryset = second_approvers  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = _text(_("Reason (kept with the case)"), max_length=2_000)


class ReferForm(forms.Form):
    referred_to = forms.CharField(label=_("Referred to (mechanism or organisation)"), max_length=200)
    reason = _text(_("Reason (optional)"), required=False, max_length=2_000)


class ConfirmForm(forms.Form):
    """An action with nothing to fill in (close): the button is the whole form."""


# --- money and reporting ------------------------------------------------------------------------


class DisbursementForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference (from the bank or payment system)"),
                                        max_length=100)
    amount = _amount_field(_("Amount paid"))
    payee_kind = forms.ChoiceField(label=_("Paid to"), choices=Disbursement.Payee.choices)
    payee_details = _text(_("Payee details (confidential)"), rows=2, required=False, max_length=2_000)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_paid_on(self) -> date:
        paid_on: date = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return paid_on


class ReportForm(forms.Form):
    narrative = _text(_("What the report says"), rows=5)
    receipts = MultipleFileField(label=_("Receipts"), required=False)


# --- hotline intake -----------------------------------------------------------------------------

ENDORSER_SLOTS = 2


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(settings.PROTECT_EUR_RATES)]


class HotlineForm(forms.Form):
    """A request taken by phone or secure messenger: for an existing defender (by reference) or a new one."""

    intake_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    # Who
    defender_reference = forms.CharField(
        label=_("Existing defender (reference, e.g. D-ABCDEFGH23)"), required=False, max_length=12,
        help_text=_("Leave empty to record a new defender below."),
    )
    kind = forms.ChoiceField(label=_("Person or organisation"), choices=Kind.choices, initial=Kind.PERSON,
                             required=False)
    pseudonym = forms.CharField(label=_("Pseudonym (shown in lists: must not identify)"), max_length=80,
                                required=False)
    legal_name = forms.CharField(label=_("Legal name (encrypted)"), max_length=300, required=False)
    country = CountryField(label=_("Country"), required=False)  # the region follows it (Defender.clean_fields)
    phone = forms.CharField(label=_("Phone (encrypted)"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail (encrypted)"), required=False)
    messenger = forms.CharField(label=_("Secure messenger handle (encrypted)"), max_length=100, required=False)
    location = forms.CharField(label=_("City or address (encrypted)"), max_length=300, required=False)
    languages = forms.CharField(label=_("Languages (ISO codes, comma-separated, e.g. sw, en)"), max_length=100,
                                required=False)
    profiles = forms.MultipleChoiceField(label=_("Profile"), choices=Profile.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)

    # What
    language = forms.ChoiceField(label=_("Language of the requester"), choices=settings.LANGUAGES, initial="en")
    risk_kinds = forms.MultipleChoiceField(label=_("Risks faced"), choices=RiskKind.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect)
    needs = forms.MultipleChoiceField(label=_("Needs"), choices=NeedKind.choices, widget=forms.CheckboxSelectMultiple)
    amount = _amount_field(_("Amount requested"))
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices, initial="EUR")
    incident = _text(_("What happened (encrypted)"), rows=4, required=False)
    threat = _text(_("The threat now (encrypted)"), rows=4, required=False)
    need_details = _text(_("What the money is for (encrypted)"), rows=3, required=False)
    other_funding = _text(_("Other funding asked for or received (encrypted)"), rows=2, required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in range(1, ENDORSER_SLOTS + 1):
            self.fields[f"endorser_{slot}_name"] = forms.CharField(
                label=_("Endorser %(n)s: name") % {"n": slot}, max_length=200, required=False)
            self.fields[f"endorser_{slot}_organisation"] = forms.CharField(
                label=_("Endorser %(n)s: organisation") % {"n": slot}, max_length=200, required=False)
            self.fields[f"endorser_{slot}_contact"] = forms.CharField(
                label=_("Endorser %(n)s: how to reach them") % {"n": slot}, max_length=200, required=False)

    FIELDSETS = [
        (_("Who the request is for: an existing defender…"), ["defender_reference"]),
        (_("…or a new defender"), ["kind", "pseudonym", "legal_name", "country", "phone", "email",
                                   "messenger", "location", "languages", "profiles"]),
        (_("The request"), ["language", "risk_kinds", "urgency", "needs", "amount", "currency"]),
        (_("What the defender told you"), ["incident", "threat", "need_details", "other_funding"]),
        (_("Endorsers (who can confirm the situation)"),
         [f"endorser_{slot}_{part}" for slot in range(1, ENDORSER_SLOTS + 1)
          for part in ("name", "organisation", "contact")]),
        (_("Attachments"), ["attachments"]),
    ]

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def clean_languages(self) -> list[str]:
        codes = [code.strip().lower() for code in self.cleaned_data["languages"].split(",") if code.strip()]
        if any(not re.fullmatch(r"[a-z]{2,3}", code) for code in codes):
            raise forms.ValidationError(_("Give ISO 639 codes separated by commas, e.g. sw, en."))
        return list(dict.fromkeys(codes))

    def clean_defender_reference(self) -> str:
        return str(self.cleaned_data["defender_reference"]).strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("defender_reference"):
            for name in ("pseudonym", "legal_name", "country"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed for a new defender (or give an existing defender's reference)."))
        if not (data.get("incident") or "").strip() and not (data.get("threat") or "").strip():
            self.add_error("incident", _("Say what happened or what the threat is now."))
        return data

    def defender_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        contacts = {key: data[key].strip() for key in ("phone", "email", "messenger") if data.get(key, "").strip()}
        return {
            "kind": data["kind"] or Kind.PERSON, "pseudonym": data["pseudonym"], "legal_name": data["legal_name"],
            "country": data["country"], "contacts": contacts,
            "location": data["location"].strip(), "languages": data["languages"], "profiles": data["profiles"],
        }

    def request_details(self) -> RequestDetails:
        data = self.cleaned_data
        endorsers = []
        for slot in range(1, ENDORSER_SLOTS + 1):
            entry = {part: str(data.get(f"endorser_{slot}_{part}") or "").strip()
                     for part in ("name", "organisation", "contact")}
            if any(entry.values()):
                endorsers.append(entry)
        return RequestDetails(
            risk_kinds=list(data["risk_kinds"]), urgency=data["urgency"], needs=list(data["needs"]),
            amount_requested_minor=to_minor(data["amount"]), currency=data["currency"],
            incident=data["incident"], threat=data["threat"], need_details=data["need_details"],
            other_funding=data["other_funding"], endorsers=endorsers, language=data["language"],
        )
