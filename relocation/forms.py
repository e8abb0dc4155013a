"""Staff forms of a relocation's page: one per step, their fields the service's parameters."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from protect.cases.forms import amount_field, text_field

from .models import BudgetLine, FamilyMember, FollowUpCheckIn, PreparationItem
from .selectors import hosts_for_matching

DATE = forms.DateInput(attrs={"type": "date"})


class AssessForm(forms.Form):
    assessment = text_field(_("Assessment (confidential)"), rows=4)


class MatchForm(forms.Form):
    host = forms.ModelChoiceField(label=_("Host institution"), queryset=hosts_for_matching())
    starts_on = forms.DateField(label=_("Start of the stay"), widget=DATE)
    ends_on = forms.DateField(label=_("End of the stay"), widget=DATE)


class ExtendForm(forms.Form):
    ends_on = forms.DateField(label=_("New end of the stay"), widget=DATE)


class FamilyForm(forms.Form):
    age_band = forms.ChoiceField(label=_("Age band"), choices=FamilyMember.AgeBand.choices)
    needs = text_field(_("Needs (confidential)"), rows=2, required=False, max_length=2_000)


class ChecklistForm(forms.Form):
    """Due and done dates of every checklist item; an empty date is "not set yet"."""

    def __init__(self, *args: Any, items: list[tuple[str, str, PreparationItem | None]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in PreparationItem.Kind.choices:
            self.fields[f"{kind}_due_on"] = forms.DateField(
                label=_("%(item)s: due on") % {"item": label}, required=False, widget=DATE)
            self.fields[f"{kind}_done_on"] = forms.DateField(
                label=_("%(item)s: done on") % {"item": label}, required=False, widget=DATE)
        for kind, _label, item in items or ():
            if item is not None:
                self.initial.update({f"{kind}_due_on": item.due_on, f"{kind}_done_on": item.done_on})


def checklist_items(data: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The service's `items` from a valid ChecklistForm's cleaned data."""
    return {kind: (data.get(f"{kind}_due_on"), data.get(f"{kind}_done_on")) for kind in PreparationItem.Kind.values}


class BudgetLineForm(forms.Form):
    kind = forms.ChoiceField(label=_("What it pays for"), choices=BudgetLine.Kind.choices)
    amount = amount_field(_("Amount (for a stipend: per person and month)"))
    currency = forms.ChoiceField(label=_("Currency"))
    note = forms.CharField(label=_("Details (confidential; required for other)"), required=False, max_length=500)
    # A new random key each time the form is shown: the same form sent twice adds one line.
    key = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(code, code) for code in sorted(settings.PROTECT_EUR_RATES)]  # type: ignore[attr-defined]
        self.initial.setdefault("currency", "EUR")
        self.initial.setdefault("key", secrets.token_urlsafe(18))


class RemoveBudgetLineForm(forms.Form):
    line = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ConfirmStipendForm(forms.Form):
    instalment = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)


class CheckInForm(forms.Form):
    done_on = forms.DateField(label=_("Date of the check-in"), widget=DATE)
    outcome = forms.ChoiceField(label=_("How the defender is"), choices=FollowUpCheckIn.Outcome.choices)
    note = text_field(_("Note (confidential)"), rows=2, required=False, max_length=5_000)
