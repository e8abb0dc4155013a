"""Staff forms of a relocation's page: one per step, their fields the service's parameters."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from protect.cases.forms import amount_field, text_field

from .models import BudgetLine, FamilyMember, FollowUpCheckIn, Offer, PreparationItem
from .selectors import host_contact_candidates, hosts_for_matching

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


def split_codes(value: str) -> list[str]:
    """"ar, en fr" → ["ar", "en", "fr"]: the service says which code is not one."""
    return [part for part in value.replace(",", " ").split() if part]


class CodesField(forms.CharField):
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return split_codes(str(value or ""))


class WindowsField(forms.CharField):
    """Availability windows, one a line: "2031-01-01 2031-12-31"."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[tuple[datetime.date, datetime.date]]:  # type: ignore[override]
        windows = []
        for number, line in enumerate(str(value or "").splitlines(), 1):
            parts = line.replace(" to ", " ").replace("–", " ").split()
            if not parts:
                continue
            try:
                starts, ends = (datetime.date.fromisoformat(part) for part in parts)
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(number)s: write a window as two dates, e.g. 2031-01-01 2031-12-31."),
                    params={"number": number}) from None
            windows.append((starts, ends))
        return windows


class HostForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=100)
    country = forms.CharField(label=_("Country (two-letter code, e.g. DE)"), min_length=2, max_length=2)
    languages = CodesField(label=_("Languages spoken (codes, e.g. en fr ar)"), required=False)
    places = forms.IntegerField(label=_("Places (defenders at the same time)"), min_value=1, max_value=500,
                                initial=1)
    family_places = forms.IntegerField(label=_("Family places (people accompanying one defender)"), min_value=0,
                                       max_value=50, initial=0)
    offers = forms.MultipleChoiceField(label=_("Offers"), choices=Offer.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    accessibility = forms.CharField(label=_("Accessibility"), max_length=500, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    availability = WindowsField(label=_("Availability windows (one a line: start end)"), required=False)
    contacts = forms.ModelMultipleChoiceField(label=_("Contact persons (accounts with the host role)"),
                                              queryset=host_contact_candidates(), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Receives defenders"), required=False, initial=True)


class MatchingForm(forms.Form):
    wanted_from = forms.DateField(label=_("Stay from"), widget=DATE)
    wanted_until = forms.DateField(label=_("Stay until"), widget=DATE)
    languages = CodesField(label=_("Languages the family speaks (codes, e.g. ar fr)"), required=False)
    needs = forms.MultipleChoiceField(label=_("Needs"), choices=Offer.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    visa_easy = CodesField(label=_("Countries where a visa is easy (codes, e.g. DE NL)"), required=False)
    visa_impossible = CodesField(label=_("Countries ruled out: no visa possible, or unsafe (codes)"),
                                 required=False)


class AskHostForm(forms.Form):
    host = forms.ModelChoiceField(label=_("Host institution"), queryset=hosts_for_matching())
    starts_on = forms.DateField(label=_("Start of the stay"), widget=DATE)
    ends_on = forms.DateField(label=_("End of the stay"), widget=DATE)
    practical_needs = forms.CharField(
        label=_("Practical needs the host must know (shared with the host: no story, no names)"),
        max_length=2_000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConcernForm(forms.Form):
    body = forms.CharField(label=_("Your concern"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 4}))
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
