"""The honeypot field of the public forms, and the decoy receipt a robot that filled it is shown.

People never see the field (the .hp class hides it; templates/public/_honeypot.html); some robots
fill every field they find. A filled one gets a page like the real one, with a receipt shaped like
a real receipt code and passphrase and valid for nothing, and nothing is stored or counted: a robot
learns nothing, and its traffic never uses up the form's rate limit.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from mnemonic import Mnemonic

HONEYPOT_FIELD = "homepage"  # a name robots like to fill

# The shape of the real receipt (protect's requester secrets): 12 symbols of this alphabet in three
# groups, and 7 words of the BIP-39 list of the page's language.
_RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_WORDLIST_LANGUAGE = {"en": "english", "es": "spanish", "fr": "french", "ru": "russian"}


def honeypot_field() -> forms.CharField:
    """The field to declare as `homepage` on a public form."""
    return forms.CharField(label=_("Leave this field empty"), required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))


def honeypot_filled(*, data: Mapping[str, Any]) -> bool:
    """Did the POST fill the honeypot? Checked before anything else, so a robot costs nothing."""
    value = data.get(HONEYPOT_FIELD, "")
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def decoy_receipt(*, language: str) -> tuple[str, str]:
    """(receipt code, passphrase) shaped like a real receipt, valid for nothing."""
    raw = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(12))
    words = Mnemonic(_WORDLIST_LANGUAGE.get(language, "english")).wordlist
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}", " ".join(secrets.choice(words) for _ in range(7))
