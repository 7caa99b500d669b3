"""Belgian structured communications and IBANs (docs/domain.md, After selection)."""

import pytest
from django.core.exceptions import ValidationError

from adn_portal.lib.banking import (
    check_digits,
    iban_compact,
    iban_display,
    is_structured_communication,
    structured_communication,
)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (1234567890, "+++123/4567/89002+++"),  # 1234567890 mod 97 = 2
        (1, "+++000/0000/00101+++"),
        (97, "+++000/0000/09797+++"),  # mod 97 is 0: the check digits are 97
        (9999999999, "+++999/9999/99948+++"),  # 9999999999 mod 97 = 48
        (970, "+++000/0000/97097+++"),  # 970 = 10 x 97
    ],
)
def test_a_structured_communication_carries_ten_digits_and_their_mod_97(base, expected):
    assert structured_communication(base) == expected
    assert is_structured_communication(expected)


def test_the_check_digits_are_97_never_00():
    assert [check_digits(n) for n in (97, 194, 9409)] == [97, 97, 97]


@pytest.mark.parametrize("base", [0, -1, 10**10])
def test_a_number_a_communication_cannot_hold_is_refused(base):
    with pytest.raises(ValueError):
        structured_communication(base)


@pytest.mark.parametrize(
    "text",
    [
        "+++123/4567/89003+++",  # wrong check digits
        "+++123/4567/8900+++",  # one digit short
        "123/4567/89002",  # no pluses
        "+++\u0661\u0662\u0663/4567/89002+++",  # Arabic-Indic digits
        "+++000/0000/00000+++",  # zero
    ],
)
def test_a_malformed_communication_is_not_valid(text):
    assert not is_structured_communication(text)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("BE68 5390 0754 7034", "BE68539007547034"),
        ("be68539007547034", "BE68539007547034"),
        ("  BE68 5390 0754 7034 ", "BE68539007547034"),
        ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ],
)
def test_an_iban_is_stored_compact_in_capitals(typed, stored):
    assert iban_compact(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("BE68 5390 0754 7035", "iban"),  # check digits do not match
        ("BE68 5390 0754 703", "iban"),  # too short for Belgium
        ("XX68 5390 0754 7034", "iban"),  # no such country
        ("BE68 5390 0754 \uff17034", "iban_characters"),  # a full-width 7
        ("BE68-5390-0754-7034", "iban_characters"),
        ("BE68\x005390", "iban_characters"),
        ("", "iban_characters"),
        ("B" * 60, "iban_characters"),
    ],
)
def test_a_wrong_iban_is_refused_in_plain_words(typed, code):
    with pytest.raises(ValidationError) as refused:
        iban_compact(typed)
    assert refused.value.code == code


def test_an_iban_is_shown_in_groups_of_four():
    assert iban_display("BE68539007547034") == "BE68 5390 0754 7034"
