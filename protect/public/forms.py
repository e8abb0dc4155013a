"""What every public form asks of the person at risk, whichever kind of request it opens: who they
are (a pseudonym first), the safest way to reach them, where they are and their work; how they
write an amount; and the refusals of file uploads, in the page's language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from protect.core.errors import ProtectError
from protect.defenders.forms import CountryField
from protect.defenders.models import Kind, Profile

# dir="auto": what is typed runs in its own direction (English typed on the Arabic page, Arabic on
# the English one), whatever the page's.
TEXT = {"autocomplete": "off", "spellcheck": "false", "dir": "auto"}


def area(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "autocomplete": "off", "dir": "auto"})


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


# --- amounts --------------------------------------------------------------------------------------

# Grouping characters that never mean a decimal point: spaces of every width, the apostrophe
# (Swiss), the Arabic thousands separator.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'\u066c")
# ٫ is the Arabic decimal separator; ، (the Arabic comma) is typed where others type a comma.
_SEPARATORS = str.maketrans({"\u066b": ".", "\u060c": ","})
_DIGITS_AND_SEPARATORS = re.compile(r"\d+(?:[.,]\d+)*")
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")  # 2,500 / 1,250,000 (with the separator made ",")


def parse_amount_minor(text: str) -> int:
    """A decimal amount in major units as integer minor units (hundredths).

    The rule, whatever the writer's language (amounts have at most two decimals):
    - digits of any script (Arabic-Indic too); spaces, apostrophes and ٬ only group digits;
    - a final "." or "," followed by one or two digits is the decimal point: "2500,00", "2500.5";
    - every other "." or "," groups thousands, and must then be followed by exactly three digits,
      after a first group of one to three digits not starting with 0: "2,500", "2.500", "1,250,000",
      "2.500,50", "2,500.50";
    - anything else is refused rather than guessed: three decimals ("2500.555"), a badly grouped
      number ("25,00,0"), a first group starting with 0 ("0,500": a half or five hundred?), both
      separators as the decimal point, letters, signs, exponents.
    So "2,500", "2 500", "2500,00" and "٢٬٥٠٠" are all 2500.00."""
    raw = text.strip().translate(_GROUPING).translate(_SEPARATORS)
    raw = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in raw)
    refused = ValidationError(_("Write the amount in figures, for example 2500 or 2500.50."), code="amount_format")
    if not _DIGITS_AND_SEPARATORS.fullmatch(raw):
        raise refused
    whole, minor = raw, ""
    last = max(raw.rfind("."), raw.rfind(","))
    if last >= 0 and len(raw) - last - 1 in (1, 2):
        whole, minor = raw[:last], raw[last + 1:]
    if "." in whole or "," in whole:
        grouped = whole.replace(".", ",")
        if (not _GROUPED.fullmatch(grouped) or ("." in whole and "," in whole)
                or (minor and raw[last] in whole)):
            raise refused  # mixed grouping marks, or the decimal mark also used to group
        whole = grouped.replace(",", "")
    if not whole or len(whole) > 12:
        raise refused
    amount = int(whole) * 100 + int(minor.ljust(2, "0") or "0")
    if amount <= 0:
        raise ValidationError(_("Write an amount above zero."), code="amount")
    return amount


def upload_limit_mb() -> str:
    megabytes = settings.PROTECT_UPLOAD_MAX_BYTES / (1024 * 1024)
    return number_format(megabytes, decimal_pos=0 if megabytes >= 1 else 2)



# code → (form field, message): refusals of protect.crypto.files.store_upload (nothing was stored).
UPLOAD_ERRORS: dict[str, tuple[str | None, Callable[[], str]]] = {
    "too_large": ("attachments", lambda: str(_("A file is larger than the limit of %(size)s MB.")) % {
        "size": upload_limit_mb()}),
    "empty": ("attachments", lambda: str(_("A file is empty."))),
    "bad_type": ("attachments", lambda: str(
        _("This type of file is not accepted. Accepted: PDF, JPEG, PNG, plain text, ODT or DOCX."))),
    "image_too_large": ("attachments", lambda: str(_("An image is too large (too many pixels)."))),
    "bad_image": ("attachments", lambda: str(_("An image could not be read; it may be damaged."))),
    "active_content": ("attachments", lambda: str(_(
        "A document contains macros, scripts, embedded objects or links to outside content, which are not "
        "accepted. Save it without them, for example as a plain PDF, and send it again."))),
}


def public_error(exc: ProtectError, known: dict[str, tuple[str | None, Callable[[], str]]],
                 ) -> tuple[str | None, str, bool]:
    """(field or None, message to show, known). Unknown codes get a general message: the service's
    own text is English and may speak to staff, not to the defender."""
    entry = known.get(exc.code) or UPLOAD_ERRORS.get(exc.code)
    if entry is None:
        return None, str(_("We could not save your request. Please try again in a few minutes.")), False
    field, message = entry
    return field, message(), True


class PublicDefenderForm(forms.Form):
    """Who asks, and how to reach them safely: the first part of every public form. A kind's form
    subclasses it; `defender_data()` gives the keyword arguments of defender_create.

    A public form asks first only what is needed to act; the fields named in `OPTIONAL` go in a
    part of the page that says it is optional (a kind's form adds its own to the tuple)."""

    OPTIONAL: tuple[str, ...] = ("kind", "legal_name", "profiles")

    kind = forms.ChoiceField(label=_("The request is for"), choices=Kind.choices, required=False,
                             widget=forms.RadioSelect, initial=Kind.PERSON)
    pseudonym = forms.CharField(
        label=_("A name we can use for you"), max_length=80, widget=forms.TextInput(attrs=TEXT),
        help_text=_("Not your real name. We use it in our messages so that your name is never written there."))
    legal_name = forms.CharField(
        label=_("Full name of the person or organisation"), max_length=300, required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("You can also give it later, through the status page. Kept encrypted: only the caseworkers "
                    "who handle your request can read it."))
    channel = forms.ChoiceField(label=_("Safest way to reach you"), choices=[("", _("Choose")), *CHANNELS])
    contact = forms.CharField(
        label=_("Number, address or partner to contact"), max_length=200, required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("For example your Signal number, an e-mail address, or a partner organisation and a person "
                    "there. Not needed if you will only read the status page."))
    contact_notes = forms.CharField(
        label=_("When and how is it safe to contact you?"), max_length=500, required=False, widget=area(2),
        help_text=_("For example safe hours, a code word, or what we must never say."))
    country = CountryField(label=_("Country where you are now"))
    location = forms.CharField(label=_("Region or city"), max_length=200, required=False,
                               widget=forms.TextInput(attrs=TEXT))
    profiles = forms.MultipleChoiceField(
        label=_("Your work"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=Profile.choices, help_text=_("Choose all that apply."))

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language

    def optional_open(self) -> bool:
        """Show the optional part unfolded: something there was typed or is wrong."""
        if not self.is_bound:
            return False
        return any(name in self.errors or self[name].value() not in (None, "", [], Kind.PERSON)
                   for name in self.OPTIONAL if name in self.fields)

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
        return cleaned

    def defender_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        channel, contact = data["channel"], data.get("contact", "").strip()
        secure_channels = {"preferred": channel}
        if data.get("contact_notes", "").strip():
            secure_channels["notes"] = data["contact_notes"].strip()
        return {
            "kind": data.get("kind") or Kind.PERSON, "pseudonym": data["pseudonym"],
            "legal_name": data.get("legal_name", "").strip(),
            "country": data["country"], "location": data.get("location", "").strip(),
            "contacts": {channel: contact} if channel != "none" and contact else {},
            "secure_channels": secure_channels, "languages": [self.language],
            "profiles": list(data.get("profiles") or []),
        }
