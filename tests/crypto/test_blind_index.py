"""Blind indexes: equal for trivially different spellings, different across kinds and keys, never plaintext."""

from __future__ import annotations

import pytest

from protect.crypto.blind import EMAIL, NAME_COUNTRY, PHONE, blind_index, blind_index_or_blank, name_country_index


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("José  María PÉREZ", "jose maria perez"),
        ("Ｍａｒｉａ", "maria"),  # full-width letters (NFKC)
        ("Straße", "STRASSE"),  # case folding
        ("  Nguyễn Thị Hoa ", "nguyen thi hoa"),
    ],
)
def test_names_that_differ_only_in_case_accents_or_spacing_get_the_same_index(ring, a, b):
    assert name_country_index(a, "co") == name_country_index(b, "CO")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("+44 20 7946 0000", "+442079460000"),
        ("0044 (20) 7946-0000", "+44 20 7946 0000"),
        ("+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧", "+966 50 123 4567"),  # Arabic-Indic digits
        ("＋２５４７００", "+254700"),  # full-width
    ],
)
def test_phone_numbers_are_compared_by_their_digits(ring, a, b):
    assert blind_index(PHONE, a) == blind_index(PHONE, b)


def test_email_addresses_are_compared_trimmed_and_lower_case(ring):
    assert blind_index(EMAIL, " Layla.Haddad@Example.COM ") == blind_index(EMAIL, "layla.haddad@example.com")


def test_the_same_string_gives_different_indexes_for_different_kinds(ring):
    assert len({blind_index(PHONE, "12345"), blind_index(EMAIL, "12345"), blind_index(NAME_COUNTRY, "12345")}) == 3


def test_the_same_name_in_another_country_is_another_index(ring):
    assert name_country_index("Ana Silva", "BR") != name_country_index("Ana Silva", "PT")


def test_the_index_depends_on_the_secret_key(ring, settings):
    from protect.crypto.keys import new_blind_index_key

    before = blind_index(EMAIL, "a@example.org")
    settings.PROTECT_BLIND_INDEX_KEY = new_blind_index_key()
    assert blind_index(EMAIL, "a@example.org") != before


def test_an_index_is_hex_and_contains_nothing_of_the_value(ring):
    index = blind_index(EMAIL, "secret.person@example.org")
    assert len(index) == 64 and int(index, 16) >= 0
    assert "secret" not in index


def test_nothing_is_indexed_for_an_empty_value(ring):
    with pytest.raises(ValueError, match="empty"):
        blind_index(PHONE, " - ")
    assert blind_index_or_blank(EMAIL, "   ") == ""
    assert blind_index_or_blank(PHONE, None) == ""
    assert name_country_index("", "KE") == "" and name_country_index("Someone", "") == ""
