"""Forms of the staff pages: they parse and validate input; the services decide and write.

Amounts are typed in major units (EUR 1,250.50) and handed to services in minor units.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from protect.cases import forms as case_forms
from protect.cases.forms import amount_field, text_field, to_minor
from protect.cases.models import Urgency
from protect.core.forms import MultipleFileField, QuickSelect
from protect.defenders.forms import NewDefenderForm

from .models import Disbursement, Grant, NeedKind, RiskKind
from .services import VERIFICATION_CHOICES, RequestDetails

if TYPE_CHECKING:
    pass

# --- the queue ----------------------------------------------------------------------------------


class QueueFilterForm(case_forms.QueueFilterForm):
    need = forms.ChoiceField(label=_("Need"), required=False, choices=[("", _("Any need")), *NeedKind.choices],
                             widget=QuickSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, statuses=Grant.Status.choices, **kwargs)


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


class SubmitForReviewForm(forms.Form):
    reviewer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Reviewer"), queryset=None, empty_label=_("Choose a reviewer"))

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        field.queryset = reviewers  # type: ignore[attr-defined]
        if not self.is_bound:
            # Read the reviewers once, for the options and the default: one reviewer to choose from
            # is chosen already.
            people = list(reviewers)
            field.choices = [("", field.empty_label),  # type: ignore[attr-defined]
                             *((p.pk, field.label_from_instance(p)) for p in people)]  # type: ignore[attr-defined]
            if len(people) == 1:
                self.initial.setdefault("reviewer", people[0].pk)


class ChecklistAndReviewForm(EligibilityForm, SubmitForReviewForm):
    """The checklist and the reviewer in one form: one step when the case is ready (the page posts it
    to send-for-review; its "save the checklist only" button to the checklist)."""

    with_checklist = forms.BooleanField(widget=forms.HiddenInput, initial=True, required=False)

    @classmethod
    def for_grant(cls, grant: Grant, *, reviewers: Any) -> ChecklistAndReviewForm:  # type: ignore[override]
        return cls(reviewers=reviewers, initial={
            "hrd": grant.eligible_hrd, "risk": grant.eligible_risk, "urgent": grant.eligible_urgent,
            "no_other_source": grant.eligible_no_other_source, "with_checklist": True})


# --- review and decision ------------------------------------------------------------------------


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Grant.Recommendation.choices,
                                       widget=forms.RadioSelect)
    verification = forms.MultipleChoiceField(label=_("Verification done"), choices=list(VERIFICATION_CHOICES.items()),
                                             widget=forms.CheckboxSelectMultiple)
    note = text_field(_("Review note (confidential)"), rows=4, required=False)
    proposed_amount = amount_field(_("Proposed amount (optional)"), required=False)


class ApproveForm(forms.Form):
    amount = amount_field(_("Amount approved"))
    second_approver: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Second approver"), queryset=None, required=False, empty_label=_("Choose a second approver"),
        help_text=_("Needed above EUR %(threshold)s.")
        % {"threshold": f"{settings.PROTECT_GRANT_SECOND_APPROVAL_EUR:,}"},
    )

    def __init__(self, *args: Any, second_approvers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["second_approver"].queryset = second_approvers  # type: ignore[attr-defined]


class ReferForm(forms.Form):
    referred_to = forms.CharField(label=_("Referred to (mechanism or organisation)"), max_length=200)
    reason = text_field(_("Reason (optional)"), required=False, max_length=2_000)


# --- money and reporting ------------------------------------------------------------------------


class DisbursementForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference (from the bank or payment system)"),
                                        max_length=100)
    amount = amount_field(_("Amount paid"))
    payee_kind = forms.ChoiceField(label=_("Paid to"), choices=Disbursement.Payee.choices)
    payee_details = text_field(_("Payee details (confidential)"), rows=2, required=False, max_length=2_000)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, left_minor: int | None = None, **kwargs: Any) -> None:
        # Sensible defaults: paid today, the whole amount left to pay (an instalment is typed over it).
        kwargs.setdefault("initial", {"paid_on": timezone.localdate(), "amount": case_forms.to_major(left_minor),
                                      "payee_kind": Disbursement.Payee.DEFENDER})
        super().__init__(*args, **kwargs)

    def clean_paid_on(self) -> date:
        paid_on: date = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return paid_on


class ReportForm(forms.Form):
    narrative = text_field(_("What the report says"), rows=5)
    receipts = MultipleFileField(label=_("Receipts"), required=False)


# --- hotline intake -----------------------------------------------------------------------------

ENDORSER_SLOTS = 2


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(settings.PROTECT_EUR_RATES)]


class HotlineForm(NewDefenderForm):
    """A request taken by phone or secure messenger: for an existing defender (by reference) or a new one."""

    intake_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    # What
    language = forms.ChoiceField(label=_("Language of the requester"), choices=settings.LANGUAGES, initial="en")
    risk_kinds = forms.MultipleChoiceField(label=_("Risks faced"), choices=RiskKind.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect)
    needs = forms.MultipleChoiceField(label=_("Needs"), choices=NeedKind.choices, widget=forms.CheckboxSelectMultiple)
    amount = amount_field(_("Amount requested"))
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices, initial="EUR")
    incident = text_field(_("What happened (encrypted)"), rows=4, required=False)
    threat = text_field(_("The threat now (encrypted)"), rows=4, required=False)
    need_details = text_field(_("What the money is for (encrypted)"), rows=3, required=False)
    other_funding = text_field(_("Other funding asked for or received (encrypted)"), rows=2, required=False)
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
        *NewDefenderForm.DEFENDER_FIELDSETS,
        (_("The request"), ["language", "risk_kinds", "urgency", "needs", "amount", "currency"]),
        (_("What the defender told you"), ["incident", "threat", "need_details", "other_funding"]),
        (_("Endorsers (who can confirm the situation)"),
         [f"endorser_{slot}_{part}" for slot in range(1, ENDORSER_SLOTS + 1)
          for part in ("name", "organisation", "contact")]),
        (_("Attachments"), ["attachments"]),
    ]

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("incident") or "").strip() and not (data.get("threat") or "").strip():
            self.add_error("incident", _("Say what happened or what the threat is now."))
        return data

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
