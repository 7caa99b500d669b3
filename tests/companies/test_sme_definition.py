"""The size class per EU Recommendation 2003/361 in full (docs/domain.md, SME size class): staff in full-time
equivalents, every ceiling at its exact value and one above, partner enterprises counted for
their share, linked ones in full, and public bodies' control with its exceptions."""

from decimal import Decimal

import pytest

from companies.models import EnterpriseRelation, PublicBodyException, SizeClass
from companies.sme import Figures, Related, computed_size_class, counted_figures

M = Decimal(1_000_000)
D = Decimal
PARTNER, LINKED = EnterpriseRelation.PARTNER, EnterpriseRelation.LINKED


def size(own: Figures, *related: Related, public: str = "0", exception: str = "") -> SizeClass:
    return computed_size_class(
        own=own, related=related, public_body_share=D(public), exception=exception
    )


def staff(headcount: str, *related: Related) -> SizeClass:
    """The class from the staff alone: turnover and balance sheet far under every ceiling."""
    return size(Figures(D(headcount), D(1000), D(1000)), *related)


ZERO = D(0)


def linked(headcount: str = "0", turnover: Decimal = ZERO, balance_sheet: Decimal = ZERO):
    return Related(LINKED, D("50.01"), Figures(D(headcount), turnover, balance_sheet))


def partner(share: str, headcount: str = "0", turnover=ZERO, balance_sheet=ZERO):
    return Related(PARTNER, D(share), Figures(D(headcount), turnover, balance_sheet))


# ---------------------------------------------------------------------------------------------
# Staff, in full-time equivalents, own and counted


@pytest.mark.parametrize(
    ("own", "linked_staff", "expected"),
    [
        ("9", "0", SizeClass.MICRO),
        ("9.5", "0", SizeClass.MICRO),
        ("9.99", "0", SizeClass.MICRO),
        ("10", "0", SizeClass.SMALL),
        ("5", "4.5", SizeClass.MICRO),  # 9.5 counted
        ("5", "5", SizeClass.SMALL),  # 10 counted
        ("49", "0", SizeClass.SMALL),
        ("49.5", "0", SizeClass.SMALL),
        ("50", "0", SizeClass.MEDIUM),
        ("40", "9.5", SizeClass.SMALL),
        ("40", "10", SizeClass.MEDIUM),
        ("249", "0", SizeClass.MEDIUM),
        ("249.5", "0", SizeClass.MEDIUM),
        ("250", "0", SizeClass.LARGE),
        ("200", "49.5", SizeClass.MEDIUM),
        ("200", "50", SizeClass.LARGE),
    ],
)
def test_staff_ceilings_are_strict_and_count_linked_staff_in_fte(own, linked_staff, expected):
    assert staff(own, linked(linked_staff)) == expected


# ---------------------------------------------------------------------------------------------
# Turnover and balance sheet: each ceiling exactly, and one euro above


@pytest.mark.parametrize(
    ("turnover", "balance_sheet", "expected"),
    [
        (2 * M, 5 * M, SizeClass.MICRO),  # turnover at the micro ceiling
        (2 * M + 1, 2 * M + 1, SizeClass.SMALL),
        (5 * M, 2 * M, SizeClass.MICRO),  # balance sheet at the micro ceiling
        (10 * M, 20 * M, SizeClass.SMALL),
        (10 * M + 1, 10 * M + 1, SizeClass.MEDIUM),
        (20 * M, 10 * M, SizeClass.SMALL),
        (50 * M, 60 * M, SizeClass.MEDIUM),  # turnover at the medium ceiling
        (50 * M + 1, 43 * M + 1, SizeClass.LARGE),
        (60 * M, 43 * M, SizeClass.MEDIUM),  # balance sheet at the medium ceiling
        (60 * M, 43 * M + 1, SizeClass.LARGE),
    ],
)
def test_financial_ceilings_include_the_exact_amount(turnover, balance_sheet, expected):
    # 5 staff: the figures decide. Half the amounts are the organisation's, half its linked
    # enterprise's: what counts is the sum.
    own = Figures(D(3), turnover / 2, balance_sheet / 2)
    assert size(own, linked("2", turnover - turnover / 2, balance_sheet - balance_sheet / 2)) == (
        expected
    )


# ---------------------------------------------------------------------------------------------
# Aggregation


def test_a_partner_held_25_percent_adds_a_quarter_of_its_staff():
    assert staff("8", partner("25", headcount="7.96")) == SizeClass.MICRO  # 9.99
    assert staff("8", partner("25", headcount="8")) == SizeClass.SMALL  # 10


def test_a_partner_held_50_percent_adds_half_of_its_staff():
    assert staff("45", partner("50", headcount="9.98")) == SizeClass.SMALL  # 49.99
    assert staff("45", partner("50", headcount="10")) == SizeClass.MEDIUM  # 50


def test_a_linked_enterprise_held_50_01_percent_counts_in_full():
    assert staff("40", Related(LINKED, D("50.01"), Figures(D(10), D(0), D(0)))) == (
        SizeClass.MEDIUM
    )
    # The same enterprise as a 50 % partner adds half.
    assert staff("40", partner("50", headcount="10")) == SizeClass.SMALL


def test_several_partners_and_linked_enterprises_add_up():
    counted = counted_figures(
        Figures(D(5), D("1500000"), None),
        [
            partner("30", headcount="10", turnover=D("1000000")),  # 3 staff, 300,000
            partner("40", headcount="5", turnover=D("500000")),  # 2 staff, 200,000
            linked("1.5", turnover=D("100000")),
        ],
    )
    assert counted == Figures(D("11.5"), D("2100000"), None)


def test_partner_turnover_counts_for_its_share_at_the_micro_ceiling():
    own = Figures(D(5), D("1500000"), None)
    assert size(own, partner("25", turnover=D("2000000"))) == SizeClass.MICRO  # 2,000,000
    assert size(own, partner("25", turnover=D("2000004"))) == SizeClass.SMALL  # 2,000,001


def test_a_figure_missing_for_one_related_enterprise_is_unknown_in_the_total():
    own = Figures(D(5), D(1000), D(1000))
    counted = counted_figures(
        own, [partner("30", headcount="2", turnover=D(10), balance_sheet=None)]
    )
    assert counted == Figures(D("5.6"), D("1003"), None)


def test_own_figures_alone_decide_without_related_enterprises():
    assert size(Figures(D(12), D("1500000"), None)) == SizeClass.SMALL
    assert size(Figures(None, D("1500000"), None)) is None


# ---------------------------------------------------------------------------------------------
# Public bodies


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        ("24.99", SizeClass.MICRO),
        ("25", SizeClass.PUBLIC_CONTROL),
        ("60", SizeClass.PUBLIC_CONTROL),
    ],
)
def test_public_bodies_holding_25_percent_or_more_exclude_an_sme(share, expected):
    assert size(Figures(D(3), D(1000), D(1000)), public=share) == expected


@pytest.mark.parametrize("exception", PublicBodyException.values)
@pytest.mark.parametrize(
    ("share", "expected"),
    [
        ("25", SizeClass.MICRO),
        ("50", SizeClass.MICRO),
        ("50.01", SizeClass.PUBLIC_CONTROL),  # linked to the investor: the exception ends
    ],
)
def test_the_recommendations_investors_keep_an_sme_up_to_50_percent(exception, share, expected):
    assert size(Figures(D(3), D(1000), D(1000)), public=share, exception=exception) == expected


def test_public_control_decides_even_without_figures():
    assert size(Figures(None, None, None), public="30") == SizeClass.PUBLIC_CONTROL
