"""The country select, the one way a form asks where a defender is (public request form, hotline intake)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .regions import COUNTRIES


def _sort_key(name: str) -> str:
    # django-countries sorts by an ASCII transliteration unless pyuca is installed, which leaves Arabic
    # and Cyrillic names in the English order: sort by the name itself, accents and case set aside.
    text = unicodedata.normalize("NFKD", name).casefold()
    return "".join(c for c in text if not unicodedata.combining(c))


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, name) of every country Protect knows, named and sorted in the active language."""
    return sorted(((country.code, str(country.name)) for country in COUNTRIES), key=lambda item: _sort_key(item[1]))


class CountryField(forms.ChoiceField):
    """A select of countries, never a code typed by hand; cleans to the two-letter ISO code models store.

    The choices are a callable, so the names follow the language of each request, not the one active
    when the form class was defined."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=lambda: [("", _("Choose a country")), *country_choices()], **kwargs)
