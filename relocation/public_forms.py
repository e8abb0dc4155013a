"""The public relocation application: what a defender, a third party or a host organisation fills
in without an account. Who is at risk and how to reach them is the kit's (PublicDefenderForm);
the rules are the service's (ApplicationDetails.validate), shown here as field errors in the
page's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from protect.cases.models import Urgency
from protect.core.errors import ProtectError
from protect.public.forms import TEXT, PublicDefenderForm, area, public_error
from protect.public.honeypot import honeypot_field

from .errors import RelocationError
from .models import FamilyMember, Relocation
from .services import ApplicationDetails, FamilyDetails

APPLICATION_FORM = "relocation.public.application-form"  # the form token's purpose
FAMILY_SLOTS = (1, 2, 3, 4, 5, 6)

# code → (form field, message). The service's English message is the fallback for a code not here.
_SERVICE_ERRORS: dict[str, tuple[str | None, Callable[[], str]]] = {
    "applicant": ("applicant", lambda: str(_("Say who is applying."))),
    "urgency": ("urgency", lambda: str(_("Choose how urgent it is."))),
    "language": (None, lambda: str(_("This language is not available."))),
    "risk": ("risk", lambda: str(_("Tell us about the risk."))),
    "why_relocation": ("why_relocation", lambda: str(_("Tell us why relocation rather than other measures."))),
    "return_in_past": ("intended_return_on", lambda: str(_("The intended return date is in the past."))),
    "age_band": (None, lambda: str(_("Choose the age band of each family member."))),
}


def service_error(exc: ProtectError) -> tuple[str | None, str, bool]:
    return public_error(exc, _SERVICE_ERRORS)


def _text(label: Any, *, rows: int = 4, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=10_000, required=required, widget=area(rows), help_text=help_text)


class RelocationApplicationForm(PublicDefenderForm):
    """Everything a relocation application asks. `clean()` leaves `details` and `defender_data()`."""

    applicant = forms.ChoiceField(label=_("Who is applying?"), choices=Relocation.Applicant.choices,
                                  widget=forms.RadioSelect, initial=Relocation.Applicant.DEFENDER)
    urgency = forms.ChoiceField(label=_("How urgent is it?"), widget=forms.RadioSelect, choices=Urgency.choices)
    risk = _text(_("What is the risk?"), rows=6, required=True)
    why_relocation = _text(_("Why relocation rather than other protection measures?"), required=True)
    preferred_country = forms.CharField(label=_("Preferred country"), max_length=200, required=False,
                                        widget=forms.TextInput(attrs=TEXT))
    why_country = _text(_("Why this country?"), rows=3)
    visa_plan = _text(_("Visa or stay-permit plan"), rows=3)
    travel_security_plan = _text(_("Travel security plan"), rows=3)
    planned_activities = _text(_("What will you do during the stay?"), rows=3,
                               help_text=_("For example rest, training, advocacy or study."))
    other_funders = _text(_("Other funders you asked"), rows=2)
    intended_return_on = forms.DateField(label=_("Intended return date"), required=False,
                                         widget=forms.DateInput(attrs={"type": "date"}))
    return_strategy = _text(_("How will the return be made safe?"), rows=3)
    homepage = honeypot_field()

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, language=language, **kwargs)
        self.details: ApplicationDetails | None = None
        for slot in FAMILY_SLOTS:
            self.fields[f"family{slot}_age_band"] = forms.ChoiceField(
                label=_("Age band"), required=False, choices=[("", _("No one")), *FamilyMember.AgeBand.choices])
            self.fields[f"family{slot}_needs"] = forms.CharField(
                label=_("Needs (health, school, care…)"), max_length=2_000, required=False,
                widget=forms.TextInput(attrs=TEXT))

    def family_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(slot, [self[f"family{slot}_age_band"], self[f"family{slot}_needs"]]) for slot in FAMILY_SLOTS]

    @property
    def ready(self) -> bool:
        """The service's own rules passed too: the application can be submitted."""
        return self.details is not None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        family = []
        for slot in FAMILY_SLOTS:
            band, needs = cleaned.get(f"family{slot}_age_band") or "", (cleaned.get(f"family{slot}_needs") or "")
            if needs.strip() and not band:
                self.add_error(f"family{slot}_age_band", _("Choose the age band of this family member."))
            elif band:
                family.append(FamilyDetails(age_band=band, needs=needs))
        if self.errors or any(name not in cleaned for name in ("applicant", "urgency", "risk", "why_relocation")):
            return cleaned  # a field is already wrong; its own error says so
        details = ApplicationDetails(
            applicant=cleaned["applicant"], urgency=cleaned["urgency"], risk=cleaned["risk"],
            why_relocation=cleaned["why_relocation"], preferred_country=cleaned.get("preferred_country") or "",
            why_country=cleaned.get("why_country") or "", visa_plan=cleaned.get("visa_plan") or "",
            travel_security_plan=cleaned.get("travel_security_plan") or "",
            planned_activities=cleaned.get("planned_activities") or "",
            other_funders=cleaned.get("other_funders") or "", intended_return_on=cleaned.get("intended_return_on"),
            return_strategy=cleaned.get("return_strategy") or "", family=family, language=self.language,
        )
        try:
            details.validate()
        except RelocationError as exc:
            field, message, _known = service_error(exc)
            self.add_error(field, message)
            return cleaned
        self.details = details
        return cleaned
