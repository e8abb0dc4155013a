"""The honeypot on its own, and the decoy receipt: shaped like a real one, valid for nothing."""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.http import QueryDict
from mnemonic import Mnemonic

from protect.cases.services.intake import new_requester_secrets
from protect.public.honeypot import HONEYPOT_FIELD, decoy_receipt, honeypot_field, honeypot_filled

RECEIPT = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@pytest.mark.parametrize(("posted", "filled"), [
    ("", False), (f"{HONEYPOT_FIELD}=", False), (f"{HONEYPOT_FIELD}=+++", False),
    (f"{HONEYPOT_FIELD}=http://spam.example", True), ("other=x", False),
])
def test_only_a_filled_honeypot_is_a_robot(posted, filled):
    assert honeypot_filled(data=QueryDict(posted)) is filled


def test_the_honeypot_field_is_optional_and_out_of_the_keyboard_path():
    field = honeypot_field()

    assert not field.required
    assert field.widget.attrs == {"autocomplete": "off", "tabindex": "-1"}
    assert str(field.label) == "Leave this field empty"


@pytest.mark.parametrize(("language", "wordlist"), [
    ("en", "english"), ("es", "spanish"), ("fr", "french"), ("ru", "russian"),
])
def test_a_decoy_receipt_looks_like_a_real_one_in_the_language_of_the_page(language, wordlist):
    receipt, passphrase = decoy_receipt(language=language)

    assert RECEIPT.fullmatch(receipt)
    words = passphrase.split()
    assert len(words) == 7 and set(words) <= {unicodedata.normalize("NFC", w) for w in Mnemonic(wordlist).wordlist}


def test_an_arabic_decoy_is_six_groups_of_arabic_indic_digits_like_a_real_arabic_passphrase():
    receipt, passphrase = decoy_receipt(language="ar")

    assert RECEIPT.fullmatch(receipt)
    assert re.fullmatch(r"[٠-٩]{4}( [٠-٩]{4}){5}", passphrase)
    assert re.fullmatch(r"[٠-٩]{4}( [٠-٩]{4}){5}", new_requester_secrets("ar").passphrase)


def test_decoys_differ_every_time():
    assert len({decoy_receipt(language="en") for _ in range(20)}) == 20
