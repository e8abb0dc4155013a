"""The receipt a requester keeps: a passphrase in the script of their language (words of a well-kept
list, or digit groups where there is none), never weaker than 137 bits with its receipt code, and
typed back in Western or Arabic-Indic digits alike."""

from __future__ import annotations

import re
import unicodedata

import pytest
from mnemonic import Mnemonic

from protect.public.receipt import (
    new_passphrase,
    new_receipt_code,
    normalise_receipt_code,
    normalise_secret,
    receipt_bits,
)

SCRIPTS = {
    "en": re.compile(r"[a-z]+"),
    "es": re.compile(r"[a-zñáéíóú]+"),
    "fr": re.compile(r"[a-zàâçéèêëîïôûùüÿœ]+"),
    "ru": re.compile(r"[а-яё]+"),
}


@pytest.mark.parametrize(("language", "wordlist"), [
    ("en", "english"), ("es", "spanish"), ("fr", "french"), ("ru", "russian"),
])
def test_a_passphrase_is_seven_words_of_the_languages_own_list_in_its_script(language, wordlist):
    words = new_passphrase(language).split()

    assert len(words) == 7 and set(words) <= {unicodedata.normalize("NFC", w) for w in Mnemonic(wordlist).wordlist}
    assert all(SCRIPTS[language].fullmatch(word) for word in words)


def test_an_arabic_passphrase_has_no_latin_letter_only_arabic_indic_digit_groups():
    passphrase = new_passphrase("ar")

    assert re.fullmatch(r"[٠-٩]{4}( [٠-٩]{4}){5}", passphrase)
    assert not re.search(r"[A-Za-z0-9]", passphrase)


@pytest.mark.parametrize("language", ["en", "es", "fr", "ru", "ar", "sw"])
def test_every_language_keeps_at_least_137_bits(language):
    assert receipt_bits(language) >= 137
    assert round(receipt_bits("ar"), 1) == 139.7


def test_a_language_without_a_list_gets_western_digit_groups_not_english_words():
    assert re.fullmatch(r"\d{4}( \d{4}){5}", new_passphrase("sw"), flags=re.ASCII)


def test_digits_are_the_same_in_any_script_with_or_without_spaces():
    assert (normalise_secret("١٢٣٤ ٥٦٧٨") == normalise_secret("1234 5678") == normalise_secret("12345678")
            == normalise_secret(" ۱۲۳۴-۵۶۷۸ "))


def test_words_keep_their_spaces_and_lose_case_and_accents():
    assert normalise_secret("  Ábaco  ABDOMEN ") == "abaco abdomen"
    assert normalise_secret("abaco abdomen") != normalise_secret("abacoabdomen")


def test_a_receipt_code_typed_with_arabic_indic_digits_or_spaces_is_the_same_code():
    code = new_receipt_code()
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")).lower().replace("-", " ")
    assert normalise_receipt_code(arabic) == code.replace("-", "")
