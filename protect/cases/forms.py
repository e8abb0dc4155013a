"""Forms every kind of case shares on its staff pages: queue filters, a question to the requester,
a reason, a bare confirmation; and the field helpers the kinds build their own forms with."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from protect.core.forms import QuickSelect
from protect.defenders.forms import country_choices
from protect.defenders.regions import REGION_OF_COUNTRY

from .models import Case, Urgency, VerifiedChannel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MINOR_PER_MAJOR = 100  # every currency Protect pays in (PROTECT_EUR_RATES) has two decimals


def to_minor(amount: Decimal) -> int:
    return int((amount * MINOR_PER_MAJOR).to_integral_value())


def to_major(minor: int | None) -> Decimal | None:
    return None if minor is None else Decimal(minor) / MINOR_PER_MAJOR


def money(minor: int | None, currency: str) -> str:
    return "—" if minor is None else f"{currency} {Decimal(minor) / MINOR_PER_MAJOR:,.2f}"


def amount_field(label: StrOrPromise, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def text_field(label: StrOrPromise, *, rows: int = 3, required: bool = True, max_length: int = 10_000,
               ) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}))  # typed in any script


class CountryField(forms.ChoiceField):
    """A country by its ISO code, in either case (an old link may say "ug")."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()


class QueueFilterForm(forms.Form):
    """GET filters of a queue; a value that does not validate is ignored, never an error page. A
    kind gives its statuses (and may add filters of its own)."""

    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", _("Any urgency")), *Urgency.choices],
                                widget=QuickSelect)
    country = CountryField(label=_("Country"), required=False, widget=QuickSelect)
    new_reply = forms.BooleanField(label=_("Only new replies"), required=False)
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: Any, statuses: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Open cases")), *statuses]  # type: ignore[attr-defined]
        # The countries a case can come from, named in the page's language.
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            ("", _("Any country")), *((code, name) for code, name in country_choices() if code in REGION_OF_COUNTRY)]


class QuestionForm(forms.Form):
    question = text_field(_("Question to the requester (they read it on their status page)"), max_length=5_000)


class ReasonForm(forms.Form):
    reason = text_field(_("Reason (kept with the case)"), max_length=2_000)


class ConfirmForm(forms.Form):
    """An action with nothing to fill in (close): the button is the whole form."""


class ReissueReceiptForm(forms.Form):
    """A new receipt for a requester who called back through a verified channel. `once` names this
    form, so that a double click or a reload issues one receipt, not two."""

    verified_channel = forms.ChoiceField(
        label=_("How did you verify that it is the requester?"),
        choices=[("", _("Choose the channel you verified")), *VerifiedChannel.choices])
    language = forms.ChoiceField(label=_("Language of the new passphrase"), choices=settings.LANGUAGES)
    confirm = forms.BooleanField(
        label=_("I verified who is calling through this channel. The old receipt code and passphrase stop "
                "working now."))
    once = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)

    @classmethod
    def for_case(cls, case: Case) -> ReissueReceiptForm:
        return cls(initial={"language": case.language, "once": secrets.token_urlsafe(24)})
