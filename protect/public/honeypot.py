"""The honeypot field of the public forms, and the decoy receipt a robot that filled it is shown.

People never see the field (the .hp class hides it; templates/public/_honeypot.html); some robots
fill every field they find. A filled one gets a page like the real one, with a receipt shaped like
a real receipt code and passphrase and valid for nothing, and nothing is stored or counted: a robot
learns nothing, and its traffic never uses up the form's rate limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .receipt import new_passphrase, new_receipt_code

HONEYPOT_FIELD = "homepage"  # a name robots like to fill



def honeypot_field() -> forms.CharField:
    """The field to declare as `homepage` on a public form."""
    return forms.CharField(label=_("Leave this field empty"), required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))


def honeypot_filled(*, data: Mapping[str, Any]) -> bool:
    """Did the POST fill the honeypot? Checked before anything else, so a robot costs nothing."""
    value = data.get(HONEYPOT_FIELD, "")
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def decoy_receipt(*, language: str) -> tuple[str, str]:
    """(receipt code, passphrase) made by the same code as a real receipt in this language (so
    shaped alike: words or digit groups), valid for nothing."""
    return new_receipt_code(), new_passphrase(language)
