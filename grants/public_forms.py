"""The public request form and the status-page forms: what a defender fills in without an account.

Choice labels come from the models (translated there) and countries from protect.defenders.forms,
so the form speaks the page's language without re-labelling anything. Business rules stay in
grants/services.py: the form builds a RequestDetails and asks it to validate, then shows the
service's refusals as field errors in the page's language.

The spam resistance (form token, honeypot, rate limit) is protect.public's; this module names the
forms' token purposes and declares the honeypot field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from protect.cases.models import Urgency
from protect.core.errors import ProtectError
from protect.core.forms import MultipleFileField, MultipleFileInput
from protect.defenders.forms import CountryField
from protect.defenders.models import Kind, Profile
from protect.public.honeypot import honeypot_field

from .models import NeedKind, RiskKind
from .money import GrantError
from .services import RequestDetails

# How the defender wants to be reached: the key is also the key in Defender.contacts.
CHANNELS = [
    ("signal", _("Signal")),
    ("whatsapp", _("WhatsApp")),
    ("email", _("E-mail")),
    ("phone", _("Phone call or SMS")),
    ("partner", _("Through a partner organisation")),
    ("other", _("Another way (say which)")),
    ("none", _("Do not contact me: I will read the status page")),
]


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(settings.PROTECT_EUR_RATES)]


# --- amounts --------------------------------------------------------------------------------------

# Grouping characters people type and that never mean a decimal point: spaces of every width,
# the apostrophe (Swiss), the Arabic thousands separator.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'\u066c")
_AMOUNT = re.compile(r"(\d{1,12})(?:[.,](\d{1,2}))?")


def parse_amount_minor(text: str) -> int:
    """A decimal amount in major units ("2500", "2500.50", "2 500,5", Arabic-Indic digits) as
    integer minor units (hundredths). A lone separator followed by three digits ("2,500") is
    refused: it is a decimal comma in one language and a thousands separator in another."""
    raw = text.strip().translate(_GROUPING).replace("\u066b", ".")  # ٫ is the Arabic decimal separator
    raw = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in raw)
    match = _AMOUNT.fullmatch(raw)
    if match is None:
        raise ValidationError(_("Write the amount in figures, for example 2500 or 2500.50."), code="amount_format")
    major, minor = match.group(1), (match.group(2) or "").ljust(2, "0")
    amount = int(major) * 100 + int(minor)
    if amount <= 0:
        raise ValidationError(_("Write an amount above zero."), code="amount")
    return amount


# --- form token purposes (protect.public.form_token) ----------------------------------------------
# Each form signs its tokens with its own purpose, so a token served with one is worth nothing on
# the other. The request form's value is the salt its tokens always had: forms open during a
# deploy stay valid.

REQUEST_FORM = "grants.public.request-form"


# --- errors from the services, in the page's language ----------------------------------------------


def _upload_limit_mb() -> str:
    megabytes = settings.PROTECT_UPLOAD_MAX_BYTES / (1024 * 1024)
    return number_format(megabytes, decimal_pos=0 if megabytes >= 1 else 2)


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
    "incident": ("incident", lambda: str(_("Tell us what happened and what the threat is now."))),
    # protect.crypto.files.store_upload refusals (UploadRejected): nothing was stored.
    "too_large": ("attachments", lambda: str(_("A file is larger than the limit of %(size)s MB.")) % {
        "size": _upload_limit_mb()}),
    "empty": ("attachments", lambda: str(_("A file is empty."))),
    "bad_type": ("attachments", lambda: str(
        _("This type of file is not accepted. Accepted: PDF, JPEG, PNG, plain text, ODT or DOCX."))),
    "image_too_large": ("attachments", lambda: str(_("An image is too large (too many pixels)."))),
    "bad_image": ("attachments", lambda: str(_("An image could not be read; it may be damaged."))),
}


def service_error(exc: ProtectError) -> tuple[str | None, str, bool]:
    """(field or None, message to show, known). Unknown codes get a general message: the service's
    own text is English and may speak to staff, not to the defender."""
    entry = _SERVICE_ERRORS.get(exc.code)
    if entry is None:
        return None, str(_("We could not save your request. Please try again in a few minutes.")), False
    field, message = entry
    return field, message(), True


# --- the request form -------------------------------------------------------------------------------


MAX_ATTACHMENTS = 3
ENDORSER_SLOTS = (1, 2, 3)
_TEXT = {"autocomplete": "off", "spellcheck": "false"}


def _area(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off"})


class PublicRequestForm(forms.Form):
    """Everything the field asks of a request. `clean()` leaves `details` and `defender_data()`."""

    # Who
    kind = forms.ChoiceField(label=_("The request is for"), choices=Kind.choices,
                             widget=forms.RadioSelect, initial=Kind.PERSON)
    pseudonym = forms.CharField(
        label=_("A name we can use for you"), max_length=80, widget=forms.TextInput(attrs=_TEXT),
        help_text=_("Not your real name. We use it in our messages so that your name is never written there."))
    legal_name = forms.CharField(
        label=_("Full name of the person or organisation"), max_length=300, widget=forms.TextInput(attrs=_TEXT),
        help_text=_("Kept encrypted. Only the caseworkers who handle your request can read it."))
    channel = forms.ChoiceField(label=_("Safest way to reach you"), choices=[("", _("Choose")), *CHANNELS])
    contact = forms.CharField(
        label=_("Number, address or partner to contact"), max_length=200, required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("For example your Signal number, an e-mail address, or a partner organisation and a person "
                    "there. Not needed if you will only read the status page."))
    contact_notes = forms.CharField(
        label=_("When and how is it safe to contact you?"), max_length=500, required=False, widget=_area(2),
        help_text=_("For example safe hours, a code word, or what we must never say."))
    # Where
    country = CountryField(label=_("Country where you are now"))
    location = forms.CharField(label=_("Region or city"), max_length=200, required=False,
                               widget=forms.TextInput(attrs=_TEXT))
    # Work
    profiles = forms.MultipleChoiceField(
        label=_("Your work"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=Profile.choices, help_text=_("Choose all that apply."))
    # What happened
    incident = forms.CharField(label=_("What happened?"), max_length=10_000, required=False, widget=_area(6))
    threat = forms.CharField(label=_("What is the threat now?"), max_length=10_000, required=False, widget=_area(4))
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
                                   widget=_area(4))
    amount = forms.CharField(label=_("Amount you ask for"), max_length=24,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, initial="EUR")
    other_funding = forms.CharField(
        label=_("Other funding you asked for"), max_length=2_000, required=False, widget=_area(3),
        help_text=_("Which organisations you asked, and what they answered."))
    # Attachments
    attachments = MultipleFileField(
        label=_("Files"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.txt,.odt,.docx"}))
    # The honeypot: people never see it, some robots fill it. Its name is protect.public's HONEYPOT_FIELD.
    homepage = honeypot_field()

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.details: RequestDetails | None = None
        for slot in ENDORSER_SLOTS:
            self.fields[f"endorser{slot}_name"] = forms.CharField(
                label=_("Name"), max_length=200, required=False, widget=forms.TextInput(attrs=_TEXT))
            self.fields[f"endorser{slot}_organisation"] = forms.CharField(
                label=_("Organisation"), max_length=200, required=False, widget=forms.TextInput(attrs=_TEXT))
            self.fields[f"endorser{slot}_contact"] = forms.CharField(
                label=_("How to contact them"), max_length=300, required=False, widget=forms.TextInput(attrs=_TEXT))
        self.fields["amount"].help_text = str(
            _("In figures, for example 2500 or 2500.50. The maximum grant is EUR %(cap)s.")) % {"cap": _cap()}
        self.fields["attachments"].help_text = str(
            _("Up to %(count)s files: PDF, JPEG, PNG, plain text, ODT or DOCX, %(size)s MB at most each. "
              "We remove location data from photos; office documents may still carry your name in their "
              "properties.")) % {"count": MAX_ATTACHMENTS, "size": _upload_limit_mb()}

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
        cleaned = super().clean() or {}
        channel = cleaned.get("channel")
        contact = (cleaned.get("contact") or "").strip()
        if channel and channel != "none" and not contact:
            self.add_error("contact", _("Tell us the number, address or partner to contact."))
        if channel == "email" and contact:
            try:
                EmailValidator()(contact)
            except ValidationError:
                self.add_error("contact", _("Enter a valid e-mail address."))
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

    def _check_with_service(self, cleaned: dict[str, Any]) -> None:
        """Ask the service's own rules (cap, needs, what happened) and show their refusals here."""
        needed = ("urgency", "needs", "amount", "currency")
        if any(name not in cleaned for name in needed):
            return  # a field is already wrong; its own error says so
        details = RequestDetails(
            risk_kinds=list(cleaned.get("risk_kinds") or []),
            urgency=cleaned["urgency"],
            needs=list(cleaned["needs"]),
            amount_requested_minor=cleaned["amount"],
            currency=cleaned["currency"],
            incident=cleaned.get("incident") or "",
            threat=cleaned.get("threat") or "",
            need_details=cleaned.get("need_details") or "",
            other_funding=cleaned.get("other_funding") or "",
            endorsers=self._endorsers(cleaned),
            language=self.language,
        )
        try:
            details.validate()
        except GrantError as exc:
            field, message, _known = service_error(exc)
            self.add_error(field, message)
            return
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

    def defender_data(self) -> dict[str, Any]:
        """The keyword arguments of defender_create for this request."""
        data = self.cleaned_data
        channel, contact = data["channel"], data.get("contact", "").strip()
        secure_channels = {"preferred": channel}
        if data.get("contact_notes", "").strip():
            secure_channels["notes"] = data["contact_notes"].strip()
        return {
            "kind": data["kind"],
            "pseudonym": data["pseudonym"],
            "legal_name": data["legal_name"],
            "country": data["country"],
            "location": data.get("location", "").strip(),
            "contacts": {channel: contact} if channel != "none" and contact else {},
            "secure_channels": secure_channels,
            "languages": [self.language],
            "profiles": list(data.get("profiles") or []),
        }
