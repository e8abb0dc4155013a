"""The receipt a requester keeps: a receipt code and a passphrase in a script they read and type.

One place makes both, for the real receipts (protect.cases.services.intake) and the decoys a robot
is shown (protect.public.honeypot), so that a decoy always looks like a real receipt in the same
language.

Strength (the figure the README and the tests hold us to):

- receipt code: 12 symbols of a 32-symbol alphabet, 12 x 5 = 60 bits;
- passphrase, where a well-kept word list exists in the page's language (BIP-39 lists of the
  `mnemonic` package: English, Spanish, French, Russian): 7 words of 2048, 7 x 11 = 77 bits;
- passphrase elsewhere (Arabic: there is no Arabic BIP-39 list, and English words are no use to
  someone who reads Arabic): 24 digits in six groups of four, 24 x log2(10) = 79.7 bits, written in
  the page's digits (Arabic-Indic for Arabic). Typed back in Western or Arabic-Indic digits (or
  Persian ones), with or without the spaces, it opens the page all the same.

Together at least 60 + 77 = 137 bits, whatever the language.
"""

from __future__ import annotations

import math
import secrets
import unicodedata

from mnemonic import Mnemonic

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each
RECEIPT_SYMBOLS = 12
PASSPHRASE_WORDS = 7  # of 2048: 11 bits each
PASSPHRASE_DIGITS = 24  # in groups of 4: 3.32 bits each
DIGIT_GROUP = 4

# Languages with a well-kept BIP-39 word list; every other language gets digit groups.
WORDLIST_LANGUAGE = {"en": "english", "es": "spanish", "fr": "french", "ru": "russian"}
# The digits a language writes its numbers in ("0123456789" when not listed).
DIGITS = {"ar": "٠١٢٣٤٥٦٧٨٩"}

_WORDLISTS: dict[str, list[str]] = {}


def _wordlist(language: str) -> list[str]:
    name = WORDLIST_LANGUAGE[language]
    if name not in _WORDLISTS:
        # The lists are stored decomposed (NFKD); shown composed, as people type accented letters.
        _WORDLISTS[name] = [unicodedata.normalize("NFC", word) for word in Mnemonic(name).wordlist]
    return _WORDLISTS[name]


def passphrase_bits(language: str) -> float:
    if language in WORDLIST_LANGUAGE:
        return PASSPHRASE_WORDS * math.log2(len(_wordlist(language)))
    return PASSPHRASE_DIGITS * math.log2(10)


def receipt_bits(language: str) -> float:
    return RECEIPT_SYMBOLS * math.log2(len(RECEIPT_ALPHABET)) + passphrase_bits(language)


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_SYMBOLS))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def new_passphrase(language: str) -> str:
    """Words of the language's list, or digit groups in the language's digits."""
    if language in WORDLIST_LANGUAGE:
        words = _wordlist(language)
        return " ".join(secrets.choice(words) for _ in range(PASSPHRASE_WORDS))
    digits = DIGITS.get(language, "0123456789")
    raw = "".join(secrets.choice(digits) for _ in range(PASSPHRASE_DIGITS))
    return " ".join(raw[i:i + DIGIT_GROUP] for i in range(0, PASSPHRASE_DIGITS, DIGIT_GROUP))


def _western_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def normalise_secret(text: str) -> str:
    """The form a passphrase is hashed and compared in: case, accents, hyphens and spacing do not
    count; digits of any script are Western digits, and a passphrase of digits alone is compared
    without its spaces ("١٢٣٤ ٥٦٧٨" = "1234 5678" = "12345678")."""
    text = unicodedata.normalize("NFKD", _western_digits(text.strip()).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = text.replace("-", " ").split()
    if words and all(word.isdigit() for word in words):
        return "".join(words)
    return " ".join(words)


def normalise_receipt_code(text: str) -> str:
    """The receipt code as indexed: capitals, Western digits, no spaces or hyphens."""
    return "".join(_western_digits(text).split()).replace("-", "").upper()
