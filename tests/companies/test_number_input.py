"""Numbers as people type them in French, English and German (adn_portal/lib/decimals.py):
staff in full-time equivalents and amounts in euros are read the way the language writes them;
anything that could be read two ways is refused with a field error, never guessed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from adn_portal.lib.decimals import format_decimal, parse_decimal

D = Decimal


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "18,5", D("18.5")),
        ("fr", "18", D("18")),
        ("fr", "0,25", D("0.25")),
        ("fr", "1.100.000", D("1100000")),
        ("fr", "1.100.000,50", D("1100000.50")),
        ("fr", "1 100 000", D("1100000")),
        ("fr", "1\u00a0100\u00a0000,5", D("1100000.5")),  # no-break spaces
        ("fr", "1\u202f100\u202f000", D("1100000")),  # narrow no-break spaces
        ("fr", " 18,5 ", D("18.5")),
        ("en", "18.5", D("18.5")),
        ("en", "1,100,000", D("1100000")),
        ("en", "1,100,000.50", D("1100000.50")),
        ("en", "1 100 000", D("1100000")),
        ("de", "18,5", D("18.5")),
        ("de", "1.100.000", D("1100000")),
        ("de", "1.100.000,50", D("1100000.50")),
        ("de", "1 100 000", D("1100000")),
        ("fr", "-3", D("-3")),  # read, then refused by the field's minimum
    ],
)
def test_numbers_are_read_as_the_language_writes_them(language, text, expected):
    assert parse_decimal(text, language=language) == expected


@pytest.mark.parametrize(
    ("language", "text", "code"),
    [
        ("fr", "18.5", "decimal_mark"),  # a point is not a French decimal mark: not 185
        ("de", "18.5", "decimal_mark"),
        ("en", "18,5", "decimal_mark"),
        ("fr", "1,100,000", "invalid"),  # two decimal marks in French
        ("de", "1,100,000", "invalid"),
        ("en", "1.100.000", "invalid"),
        ("fr", "1.100 000", "invalid"),  # two ways of grouping
        ("fr", "1.10.000", "invalid"),  # a group of two digits
        ("fr", "11000.000", "decimal_mark"),  # not thousands (five digits first): decimals?
        ("fr", "18,", "invalid"),
        ("fr", ",5", "invalid"),
        ("fr", "1,5,0", "invalid"),
        ("fr", "1,000 5", "invalid"),
        ("fr", "-", "odd_characters"),
        ("fr", "١٨", "odd_characters"),  # Arabic-Indic digits
        ("fr", "\uff11\uff18", "odd_characters"),  # full-width digits
        ("fr", "18\x00", "odd_characters"),
        ("fr", "1e6", "odd_characters"),
        ("fr", "+18", "odd_characters"),
        ("fr", "18 €", "odd_characters"),
        ("fr", "NaN", "odd_characters"),
        ("fr", "1" * 33, "too_long"),
    ],
)
def test_ambiguous_or_odd_numbers_are_refused_with_a_reason(language, text, code):
    with pytest.raises(ValidationError) as refusal:
        parse_decimal(text, language=language)
    assert refusal.value.code == code


@pytest.mark.parametrize("language", ["fr", "en", "de"])
@pytest.mark.parametrize("value", [D("18.50"), D("1100000.00"), D("0.25"), D("12"), D("999.5")])
def test_a_stored_number_is_shown_so_that_it_reads_back(language, value):
    assert parse_decimal(format_decimal(value, language=language), language=language) == value


def test_a_stored_number_is_shown_without_trailing_zeros_and_grouped():
    assert format_decimal(D("18.50"), language="fr") == "18,5"
    assert format_decimal(D("1100000.00"), language="fr") == "1 100 000"
    assert format_decimal(D("1100000.25"), language="en") == "1 100 000.25"
