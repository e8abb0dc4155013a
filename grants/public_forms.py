"""The public request form and the status-page forms: what a defender fills in without an account.

Choice labels come from the models (translated there) and countries from protect.defenders.forms,
so the form speaks the page's language without re-labelling anything. Business rules stay in
grants/services: the form builds a RequestDetails and asks it for every rule it breaks, then shows
the service's refusals as field errors in the page's language, with the field checks, in one round.

The spam resistance (form token, honeypot, rate limit) is protect.public's; this module names the
forms' token purposes and declares the honeypot field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from protect.cases.models import Urgency
from protect.core.errors import ProtectError
from protect.core.forms import MultipleFileField, MultipleFileInput
from protect.public.forms import (
    TEXT,
    PublicDefenderForm,
    area,
    parse_amount_minor,
    public_error,
    upload_limit_mb,
)
from protect.public.honeypot import honeypot_field

from .models import NeedKind, RiskKind
from .services import RequestDetails


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(settings.PROTECT_EUR_RATES)]


# --- form token purposes (protect.public.form_token) ----------------------------------------------
# Each form signs its tokens with its own purpose, so a token served with one is worth nothing on
# the other. The request form's value is the salt its tokens always had: forms open during a
# deploy stay valid.

REQUEST_FORM = "grants.public.request-form"


# --- errors from the services, in the page's language ----------------------------------------------


def _cap() -> str:
    return number_format(settings.PROTECT_GRANT_CAP_EUR, decimal_pos=0, force_grouping=True)


# code → (form field, message). The service's English message is the fallback for a code not here.
_SERVICE_ERRORS: dict[str, tuple[str | None, Callable[[], str]]] = {
    "needs": ("needs", lambda: str(_("Choose at least one kind of need."))),
    "risk_kinds": ("risk_kinds", lambda: str(_("Choose at least one kind of risk from the list."))),
    "urgency": ("urgency", lambda: str(_("Choose how urgent it is."))),
    "language": (None, lambda: str(_("This language is not available."))),
    "amount": ("amount", lambda: str(_("Write an amount above zero."))),
    "cap": ("amount", lambda: str(_("The amount is above the maximum grant of EUR %(cap)s.")) % {"cap": _cap()}),
    "currency": ("currency", lambda: str(_("Choose a currency from the list."))),
    "incident": ("incident", lambda: str(_("Tell us what happened or what the threat is now: at least one."))),
}


def service_error(exc: ProtectError) -> tuple[str | None, str, bool]:
    return public_error(exc, _SERVICE_ERRORS)


# --- the request form -------------------------------------------------------------------------------


MAX_ATTACHMENTS = 3
ENDORSER_SLOTS = (1, 2, 3)


class PublicRequestForm(PublicDefenderForm):
    """Everything the field asks of a request. `clean()` leaves `details` and `defender_data()`.

    First what is needed to act (who, how to reach them safely, where, what happened or the
    threat, what is needed); the rest (`OPTIONAL`) in a part that says it is optional. Every error
    shows in one round: the service's own rules run with the field checks, on what is valid."""

    OPTIONAL = (*PublicDefenderForm.OPTIONAL, "need_details", "other_funding", "attachments",
                *(f"endorser{slot}_{part}" for slot in ENDORSER_SLOTS for part in ("name", "organisation", "contact")))

    # What happened
    incident = forms.CharField(label=_("What happened?"), max_length=10_000, required=False, widget=area(6))
    threat = forms.CharField(label=_("What is the threat now?"), max_length=10_000, required=False, widget=area(4))
    risk_kinds = forms.MultipleChoiceField(
        label=_("Kinds of risk"), widget=forms.CheckboxSelectMultiple,
        choices=RiskKind.choices,
        help_text=_("Choose all that apply. If none fits, choose Other."))
    urgency = forms.ChoiceField(label=_("How urgent is it?"), widget=forms.RadioSelect,
                                choices=Urgency.choices)
    # Needs and money
    needs = forms.MultipleChoiceField(
        label=_("What do you need?"), widget=forms.CheckboxSelectMultiple,
        choices=NeedKind.choices, help_text=_("Choose one or more."))
    need_details = forms.CharField(label=_("Tell us more about what you need"), max_length=5_000, required=False,
                                   widget=area(4))
    amount = forms.CharField(label=_("Amount you ask for"), max_length=24,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, initial="EUR")
    other_funding = forms.CharField(
        label=_("Other funding you asked for"), max_length=2_000, required=False, widget=area(3),
        help_text=_("Which organisations you asked, and what they answered."))
    # Attachments
    attachments = MultipleFileField(
        label=_("Files"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.txt,.odt,.docx"}))
    # The honeypot: people never see it, some robots fill it. Its name is protect.public's HONEYPOT_FIELD.
    homepage = honeypot_field()

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, language=language, **kwargs)
        self.details: RequestDetails | None = None
        for slot in ENDORSER_SLOTS:
            self.fields[f"endorser{slot}_name"] = forms.CharField(
                label=_("Name"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
            self.fields[f"endorser{slot}_organisation"] = forms.CharField(
                label=_("Organisation"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
            self.fields[f"endorser{slot}_contact"] = forms.CharField(
                label=_("How to contact them"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))
        self.fields["amount"].help_text = str(
            _("In figures, for example 2500, 2,500 or 2500.50. The maximum grant is EUR %(cap)s.")) % {"cap": _cap()}
        self.fields["attachments"].help_text = str(
            _("Up to %(count)s files: PDF, JPEG, PNG, plain text, ODT or DOCX, %(size)s MB at most each. "
              "We remove location data from photos; office documents may still carry your name in their "
              "properties.")) % {"count": MAX_ATTACHMENTS, "size": upload_limit_mb()}

    # -- groups of fields for the template --------------------------------------------------------

    def endorser_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(slot, [self[f"endorser{slot}_{part}"] for part in ("name", "organisation", "contact")])
                for slot in ENDORSER_SLOTS]

    # -- validation -------------------------------------------------------------------------------

    def clean_amount(self) -> int:
        return parse_amount_minor(self.cleaned_data["amount"])

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("Send at most %(count)s files."), params={"count": MAX_ATTACHMENTS})
        return files

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for slot in ENDORSER_SLOTS:
            name, organisation, how = (
                (cleaned.get(f"endorser{slot}_{part}") or "").strip() for part in ("name", "organisation", "contact")
            )
            if (name or organisation or how) and not name:
                self.add_error(f"endorser{slot}_name", _("Give the name of this person."))
            if (name or organisation) and not how:
                self.add_error(f"endorser{slot}_contact", _("Tell us how to contact this person."))
        self._check_with_service(cleaned)
        return cleaned

    @property
    def ready(self) -> bool:
        """The service's own rules passed too: the request can be submitted."""
        return self.details is not None

    def _check_with_service(self, cleaned: dict[str, Any]) -> None:
        """Ask the service's own rules (cap, needs, what happened…) and show their refusals here,
        all of them, beside the field checks: a rule about a field that is already marked wrong
        says nothing more (its own error says what to do)."""
        details = RequestDetails(
            risk_kinds=list(cleaned.get("risk_kinds") or []),
            urgency=cleaned.get("urgency") or "",
            needs=list(cleaned.get("needs") or []),
            amount_requested_minor=cleaned.get("amount") or 0,
            currency=cleaned.get("currency") or "",
            incident=cleaned.get("incident") or "",
            threat=cleaned.get("threat") or "",
            need_details=cleaned.get("need_details") or "",
            other_funding=cleaned.get("other_funding") or "",
            endorsers=self._endorsers(cleaned),
            language=self.language,
        )
        problems = details.problems()
        for exc in problems:
            field, message, _known = service_error(exc)
            if field is None or field not in self.errors:
                self.add_error(field, message)
        if not problems:
            self.details = details

    @staticmethod
    def _endorsers(cleaned: Mapping[str, Any]) -> list[dict[str, str]]:
        rows = []
        for slot in ENDORSER_SLOTS:
            row = {part: (cleaned.get(f"endorser{slot}_{part}") or "").strip()
                   for part in ("name", "organisation", "contact")}
            if any(row.values()):
                rows.append(row)
        return rows
