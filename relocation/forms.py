"""Staff forms of a relocation's page: one per step, their fields the service's parameters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from protect.cases.forms import text_field

from .models import FamilyMember
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
