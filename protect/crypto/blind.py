"""Blind indexes: keyed HMAC-SHA256 of a normalised value, for exact-match look-ups without plaintext.

Duplicate detection ("is this person already in our files?") needs equality on names, phone
numbers and e-mail addresses, which are encrypted with random nonces and so never compare equal.
A blind index is `HMAC(PROTECT_BLIND_INDEX_KEY, kind + NUL + normalised value)` in hex, stored in its
own indexed column. Without the key, the column cannot be tested against a guessed name; the kind
is mixed in so that the same string indexed as a name and as a phone gives unrelated values.

Normalisation makes trivially different spellings match: NFKC, case folding, accents stripped,
whitespace collapsed for text; digits only (any script's digits, "00" read as "+") for phones;
trimmed and lower-cased for e-mail addresses.

The index column leaks equality (two rows with the same value share an index): that is its
purpose. Changing the key changes every index: re-index every row (not automated yet).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from .keys import blind_index_key

PHONE = "phone"
EMAIL = "email"
NAME_COUNTRY = "name_country"


def normalise_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).split())


def normalise_phone(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    digits = "".join(str(unicodedata.decimal(ch)) for ch in text if unicodedata.decimal(ch, None) is not None)
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def normalise_email(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower()


def normalise(kind: str, value: str) -> str:
    if kind == PHONE:
        return normalise_phone(value)
    if kind == EMAIL:
        return normalise_email(value)
    return normalise_text(value)


def blind_index(kind: str, value: str) -> str:
    """64 hex characters; ValueError if the value is empty once normalised (index nothing instead)."""
    if not kind:
        raise ValueError("a blind index needs a kind")
    normalised = normalise(kind, value)
    if not normalised or normalised == "+":
        raise ValueError(f"nothing to index for {kind}: the value is empty once normalised")
    message = kind.encode() + b"\x00" + normalised.encode("utf-8")
    return hmac.new(blind_index_key(), message, hashlib.sha256).hexdigest()


def blind_index_or_blank(kind: str, value: str | None) -> str:
    """The index, or "" when there is nothing to index (the column's "no value")."""
    try:
        return blind_index(kind, value or "")
    except ValueError:
        return ""


def name_country_index(name: str | None, country: str | None) -> str:
    """Index of a name within a country: same person, same country (a common name alone says little)."""
    name_part = normalise_text(name or "")
    country_part = (country or "").strip().upper()
    if not name_part or not country_part:
        return ""
    return blind_index(NAME_COUNTRY, f"{country_part}|{name_part}")
