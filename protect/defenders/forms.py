"""Defender fields of forms: the country select (the one way a form asks where a defender is) and
the new-defender part of every staff intake form."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from .models import Kind, Profile
from .regions import COUNTRIES


def _sort_key(name: str) -> str:
    # django-countries sorts by an ASCII transliteration unless pyuca is installed, which leaves Arabic
    # and Cyrillic names in the English order: sort by the name itself, accents and case set aside.
    text = unicodedata.normalize("NFKD", name).casefold()
    return "".join(c for c in text if not unicodedata.combining(c))


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, name) of every country Protect knows, named and sorted in the active language."""
    return list(_named_countries(get_language()))


@cache  # one entry per language: naming and sorting some 250 countries cost a queue page more than its rows
def _named_countries(language: str | None) -> tuple[tuple[str, str], ...]:
    with override(language):
        return tuple(sorted(((country.code, str(country.name)) for country in COUNTRIES),
                            key=lambda item: _sort_key(item[1])))


class CountryField(forms.ChoiceField):
    """A select of countries, never a code typed by hand; cleans to the two-letter ISO code models store.

    The choices are a callable, so the names follow the language of each request, not the one active
    when the form class was defined."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=lambda: [("", _("Choose a country")), *country_choices()], **kwargs)


class NewDefenderForm(forms.Form):
    """Who a request taken by staff is for: an existing defender by reference, or a new one. Any
    kind's staff intake form subclasses it and adds its own fields."""

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

    DEFENDER_FIELDSETS = [
        (_("Who the request is for: an existing defender…"), ["defender_reference"]),
        (_("…or a new defender"), ["kind", "pseudonym", "legal_name", "country", "phone", "email",
                                   "messenger", "location", "languages", "profiles"]),
    ]

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
        return data

    def defender_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        contacts = {key: data[key].strip() for key in ("phone", "email", "messenger") if data.get(key, "").strip()}
        return {
            "kind": data["kind"] or Kind.PERSON, "pseudonym": data["pseudonym"], "legal_name": data["legal_name"],
            "country": data["country"], "contacts": contacts,
            "location": data["location"].strip(), "languages": data["languages"], "profiles": data["profiles"],
        }
