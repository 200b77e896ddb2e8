"""The depreciation engine on worked examples (each computed by hand in the comments).

Pure functions only: these tests use no fixture, so they need no database.
"""

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from asset_service.models.enums import DepreciationMethod
from asset_service.services.depreciation import (
    Period,
    book_value_at,
    build_schedule,
)

D = Decimal
SL = DepreciationMethod.STRAIGHT_LINE
DB = DepreciationMethod.DECLINING_BALANCE
DDB = DepreciationMethod.DOUBLE_DECLINING_BALANCE


def amounts(schedule: list[Period]) -> list[Decimal]:
    return [period.depreciation_amount for period in schedule]


# --- straight line ---------------------------------------------------------------------------


def test_straight_line_even_split() -> None:
    # (12000 - 0) / 12 = 1000.00 a month; book value 12000 - 1000 k.
    schedule = build_schedule(
        cost=D("12000.00"), salvage=D("0"), life_months=12, start=date(2026, 1, 1), method=SL
    )
    assert amounts(schedule) == [D("1000.00")] * 12
    assert [p.accumulated_depreciation for p in schedule] == [D(1000 * k) for k in range(1, 13)]
    assert [p.book_value for p in schedule] == [D(12000 - 1000 * k) for k in range(1, 13)]
    assert schedule[0].period_start == date(2026, 1, 1)
    assert schedule[-1].period_end == date(2026, 12, 31)


def test_straight_line_last_month_absorbs_rounding() -> None:
    # 1000.00 / 3 = 333.333… -> 333.33, 333.33, and 1000.00 - 666.66 = 333.34.
    schedule = build_schedule(
        cost=D("1000.00"), salvage=D("0"), life_months=3, start=date(2026, 3, 10), method=SL
    )
    assert amounts(schedule) == [D("333.33"), D("333.33"), D("333.34")]
    assert [p.book_value for p in schedule] == [D("666.67"), D("333.34"), D("0.00")]


def test_straight_line_with_salvage() -> None:
    # (5000 - 500) / 36 = 125.00 exactly; ends at the salvage value.
    schedule = build_schedule(
        cost=D("5000"), salvage=D("500"), life_months=36, start=date(2025, 7, 4), method=SL
    )
    assert set(amounts(schedule)) == {D("125.00")}
    assert schedule[-1].book_value == D("500.00")
    assert schedule[-1].accumulated_depreciation == D("4500.00")


def test_rows_are_calendar_months_with_a_full_first_month() -> None:
    # Bought 15 Jan 2024 (a leap year), 3 months: Jan 15-31 (charged in full), Feb 1-29, Mar 1-31.
    schedule = build_schedule(
        cost=D("300"), salvage=D("0"), life_months=3, start=date(2024, 1, 15), method=SL
    )
    assert [(p.period_start, p.period_end) for p in schedule] == [
        (date(2024, 1, 15), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 31)),
    ]
    assert amounts(schedule) == [D("100.00")] * 3


def test_rows_cross_the_year_end() -> None:
    schedule = build_schedule(
        cost=D("200"), salvage=D("0"), life_months=2, start=date(2025, 12, 31), method=SL
    )
    assert [(p.period_start, p.period_end) for p in schedule] == [
        (date(2025, 12, 31), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]


def test_rounding_up_is_capped_so_book_value_never_drops_below_salvage() -> None:
    # 0.05 / 10 = 0.005 -> 0.01 (half up): after 5 months all 0.05 is depreciated, then 0.00.
    schedule = build_schedule(
        cost=D("10.05"), salvage=D("10.00"), life_months=10, start=date(2026, 1, 1), method=SL
    )
    assert amounts(schedule) == [D("0.01")] * 5 + [D("0.00")] * 5
    assert min(p.book_value for p in schedule) == D("10.00")
    assert schedule[-1].book_value == D("10.00")


def test_rounding_down_leaves_the_rest_to_the_last_month() -> None:
    # 0.04 / 10 = 0.004 -> 0.00 every month; the last month takes all 0.04.
    schedule = build_schedule(
        cost=D("0.04"), salvage=D("0"), life_months=10, start=date(2026, 1, 1), method=SL
    )
    assert amounts(schedule) == [D("0.00")] * 9 + [D("0.04")]


def test_cost_equal_to_salvage_gives_zero_amounts() -> None:
    for method, rate in [(SL, None), (DB, D("30")), (DDB, None)]:
        schedule = build_schedule(
            cost=D("800"),
            salvage=D("800"),
            life_months=4,
            start=date(2026, 1, 1),
            method=method,
            annual_rate=rate,
        )
        assert amounts(schedule) == [D("0.00")] * 4
        assert {p.book_value for p in schedule} == {D("800.00")}


def test_one_month_life_depreciates_everything_at_once() -> None:
    for method in DepreciationMethod:
        schedule = build_schedule(
            cost=D("99.99"),
            salvage=D("0.99"),
            life_months=1,
            start=date(2026, 5, 20),
            method=method,
            annual_rate=D("12"),
        )
        assert amounts(schedule) == [D("99.00")]
        assert schedule[0].book_value == D("0.99")


def test_method_may_be_given_as_its_string_value() -> None:
    schedule = build_schedule(
        cost=D("120"),
        salvage=D("0"),
        life_months=12,
        start=date(2026, 1, 1),
        method="straight_line",
    )
    assert amounts(schedule) == [D("10.00")] * 12


# --- JPY (zero-decimal currency) ---------------------------------------------------------------


def test_jpy_straight_line_rounds_to_whole_yen() -> None:
    # 100000 / 7 = 14285.71… -> 14286 (half up) for 6 months = 85716; the last month 14284.
    schedule = build_schedule(
        cost=D("100000"),
        salvage=D("0"),
        life_months=7,
        start=date(2026, 1, 1),
        method=SL,
        currency="JPY",
    )
    assert amounts(schedule) == [D("14286")] * 6 + [D("14284")]
    assert all(a == a.to_integral_value() for a in amounts(schedule))
    assert schedule[-1].book_value == 0


def test_jpy_declining_balance_rounds_to_whole_yen() -> None:
    # 30 % a year = 2.5 % a month.
    # Month 1: 50000 x 0.025 = 1250;        book 48750.
    # Month 2: 48750 x 0.025 = 1218.75 -> 1219; book 47531.
    # Month 3: 47531 x 0.025 = 1188.275 -> 1188; book 46343.
    schedule = build_schedule(
        cost=D("50000"),
        salvage=D("5000"),
        life_months=60,
        start=date(2026, 1, 1),
        method=DB,
        annual_rate=D("30"),
        currency="JPY",
    )
    assert amounts(schedule)[:3] == [D("1250"), D("1219"), D("1188")]
    assert schedule[2].book_value == D("46343")
    assert all(a == a.to_integral_value() for a in amounts(schedule))
    assert sum(amounts(schedule)) == D("45000")


# --- double declining balance --------------------------------------------------------------------


def test_double_declining_balance_with_switch_to_straight_line() -> None:
    # cost 10000, salvage 1000, 60 months: the declining charge is book x 2 / 60 = book / 30.
    # Month 1: 10000 / 30 = 333.333… -> 333.33 (straight line over 60 would be 9000 / 60 = 150).
    # Month 2: 9666.67 / 30 = 322.2223… -> 322.22; book 9344.45.
    # Month 3: 9344.45 / 30 = 311.4816… -> 311.48; book 9032.97.
    schedule = build_schedule(
        cost=D("10000"),
        salvage=D("1000"),
        life_months=60,
        start=date(2026, 1, 1),
        method=DDB,
    )
    assert amounts(schedule)[:3] == [D("333.33"), D("322.22"), D("311.48")]
    assert [p.book_value for p in schedule[:3]] == [D("9666.67"), D("9344.45"), D("9032.97")]
    # Month 43 starts from the book value after 42 months, 2407.81 (18 months left):
    #   declining 2407.81 / 30 = 80.2603… -> 80.26; straight (2407.81 - 1000) / 18 = 78.21 < 80.26.
    assert schedule[41].book_value == D("2407.81")
    assert schedule[42].depreciation_amount == D("80.26")
    # Month 44 starts from 2327.55 (17 months left):
    #   declining 2327.55 / 30 = 77.585 -> 77.59; straight 1327.55 / 17 = 78.0911… -> 78.09 >= 77.59,
    #   so from here on it is straight line: 78.09, and each month (book - 1000) / months left.
    assert schedule[42].book_value == D("2327.55")
    assert schedule[43].depreciation_amount == D("78.09")
    tail = amounts(schedule)[43:]
    assert len(tail) == 17
    assert sum(tail) == D("1327.55")
    assert set(tail) <= {D("78.09"), D("78.10")}
    # Before the switch the charges decrease every month.
    head = amounts(schedule)[:43]
    assert all(a > b for a, b in pairwise(head))
    assert schedule[-1].book_value == D("1000.00")
    assert sum(amounts(schedule)) == D("9000.00")


def test_double_declining_balance_never_goes_below_salvage() -> None:
    # 2 months: the declining charge is book x 2 / 2 = 1000, capped at 1000 - 100 = 900.
    schedule = build_schedule(
        cost=D("1000"), salvage=D("100"), life_months=2, start=date(2026, 1, 1), method=DDB
    )
    assert amounts(schedule) == [D("900.00"), D("0.00")]
    assert [p.book_value for p in schedule] == [D("100.00"), D("100.00")]


# --- declining balance ---------------------------------------------------------------------------


def test_declining_balance_30_percent_with_switch() -> None:
    # cost 10000, salvage 1000, 60 months, 30 % a year = 2.5 % a month.
    # Month 1: 10000 x 0.025 = 250.00; book 9750.00.
    # Month 2: 9750 x 0.025 = 243.75;   book 9506.25.
    # Month 3: 9506.25 x 0.025 = 237.65625 -> 237.66; book 9268.59.
    schedule = build_schedule(
        cost=D("10000"),
        salvage=D("1000"),
        life_months=60,
        start=date(2026, 1, 1),
        method=DB,
        annual_rate=D("30"),
    )
    assert amounts(schedule)[:3] == [D("250.00"), D("243.75"), D("237.66")]
    assert schedule[2].book_value == D("9268.59")
    # Month 29 from 4921.85 (32 months left): declining 123.04625 -> 123.05;
    #   straight 3921.85 / 32 = 122.557… -> 122.56 < 123.05: still declining.
    assert schedule[27].book_value == D("4921.85")
    assert schedule[28].depreciation_amount == D("123.05")
    # Month 30 from 4798.80 (31 months left): declining 119.97; straight 3798.80 / 31 = 122.5419…
    #   -> 122.54 >= 119.97: straight line from here on.
    assert schedule[28].book_value == D("4798.80")
    assert schedule[29].depreciation_amount == D("122.54")
    tail = amounts(schedule)[29:]
    assert len(tail) == 31
    assert sum(tail) == D("3798.80")
    assert set(tail) <= {D("122.54"), D("122.55")}
    assert schedule[-1].book_value == D("1000.00")


def test_declining_balance_ignores_rate_for_other_methods() -> None:
    with_rate = build_schedule(
        cost=D("600"),
        salvage=D("0"),
        life_months=6,
        start=date(2026, 1, 1),
        method=SL,
        annual_rate=D("99"),
    )
    without = build_schedule(
        cost=D("600"), salvage=D("0"), life_months=6, start=date(2026, 1, 1), method=SL
    )
    assert with_rate == without


def test_declining_balance_small_rate_switches_at_once() -> None:
    # 1 % a year: 12000 x 0.01 / 12 = 10.00 < straight 12000 / 12 = 1000.00 -> straight line.
    schedule = build_schedule(
        cost=D("12000"),
        salvage=D("0"),
        life_months=12,
        start=date(2026, 1, 1),
        method=DB,
        annual_rate=D("1"),
    )
    assert amounts(schedule) == [D("1000.00")] * 12


# --- disposal (end) ------------------------------------------------------------------------------


def test_end_truncates_and_the_last_row_ends_on_the_disposal_date() -> None:
    full = build_schedule(
        cost=D("1000.00"), salvage=D("0"), life_months=3, start=date(2026, 3, 10), method=SL
    )
    cut = build_schedule(
        cost=D("1000.00"),
        salvage=D("0"),
        life_months=3,
        start=date(2026, 3, 10),
        method=SL,
        end=date(2026, 4, 12),
    )
    # March and April only; April ends on the 12th and is still charged in full (333.33):
    # the rounding is not absorbed because the life did not end.
    assert len(cut) == 2
    assert cut[0] == full[0]
    assert cut[1].period_start == date(2026, 4, 1)
    assert cut[1].period_end == date(2026, 4, 12)
    assert amounts(cut) == [D("333.33"), D("333.33")]
    assert cut[1].book_value == D("333.34")


def test_end_in_the_first_month_and_on_the_start_day() -> None:
    for end in (date(2026, 3, 10), date(2026, 3, 31)):
        cut = build_schedule(
            cost=D("1200"),
            salvage=D("0"),
            life_months=12,
            start=date(2026, 3, 10),
            method=DDB,
            end=end,
        )
        # 1200 x 2 / 12 = 200.00 for the (whole) first month.
        assert [(p.period_start, p.period_end) for p in cut] == [(date(2026, 3, 10), end)]
        assert amounts(cut) == [D("200.00")]


def test_end_on_the_last_day_of_the_life_keeps_the_full_schedule() -> None:
    kwargs = {"cost": D("1000.00"), "salvage": D("0"), "life_months": 3, "method": SL}
    full = build_schedule(start=date(2026, 3, 10), **kwargs)
    assert build_schedule(start=date(2026, 3, 10), end=date(2026, 5, 31), **kwargs) == full
    # A disposal after the life ended changes nothing: the schedule is already complete.
    assert build_schedule(start=date(2026, 3, 10), end=date(2030, 1, 1), **kwargs) == full


# --- book_value_at -------------------------------------------------------------------------------


@pytest.fixture
def year_schedule() -> list[Period]:
    # 12000 over 12 months from 15 Jan 2026: 1000.00 a month, the first counted on 31 Jan.
    return build_schedule(
        cost=D("12000"), salvage=D("0"), life_months=12, start=date(2026, 1, 15), method=SL
    )


def test_book_value_before_the_first_period_end(year_schedule: list[Period]) -> None:
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2026, 1, 15)) == (
        D("12000.00"),
        D("0.00"),
    )
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2026, 1, 30)) == (
        D("12000.00"),
        D("0.00"),
    )
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2020, 1, 1)) == (
        D("12000.00"),
        D("0.00"),
    )


def test_book_value_on_and_after_a_period_end(year_schedule: list[Period]) -> None:
    # 31 Jan counts January; 28 Feb counts February too; 1 Mar still only those two.
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2026, 1, 31)) == (
        D("11000.00"),
        D("1000.00"),
    )
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2026, 2, 27)) == (
        D("11000.00"),
        D("1000.00"),
    )
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2026, 2, 28)) == (
        D("10000.00"),
        D("2000.00"),
    )
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2026, 3, 1)) == (
        D("10000.00"),
        D("2000.00"),
    )


def test_book_value_after_the_last_period(year_schedule: list[Period]) -> None:
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2026, 12, 31)) == (
        D("0.00"),
        D("12000.00"),
    )
    assert book_value_at(year_schedule, cost=D("12000"), at=date(2099, 1, 1)) == (
        D("0.00"),
        D("12000.00"),
    )


def test_book_value_of_a_truncated_schedule_counts_from_the_disposal_date() -> None:
    cut = build_schedule(
        cost=D("12000"),
        salvage=D("0"),
        life_months=12,
        start=date(2026, 1, 15),
        method=SL,
        end=date(2026, 3, 10),
    )
    assert book_value_at(cut, cost=D("12000"), at=date(2026, 3, 9)) == (
        D("10000.00"),
        D("2000.00"),
    )
    assert book_value_at(cut, cost=D("12000"), at=date(2026, 3, 10)) == (
        D("9000.00"),
        D("3000.00"),
    )


def test_book_value_of_an_empty_schedule_is_the_cost() -> None:
    assert book_value_at([], cost=D("50.5"), at=date(2026, 1, 1)) == (D("50.50"), D("0.00"))


# --- invalid input ------------------------------------------------------------------------------

VALID = {
    "cost": D("1000"),
    "salvage": D("100"),
    "life_months": 12,
    "start": date(2026, 1, 1),
    "method": SL,
}


@pytest.mark.parametrize(
    "changes",
    [
        {"cost": D("-0.01"), "salvage": D("0")},
        {"salvage": D("-1")},
        {"salvage": D("1000.01")},
        {"life_months": 0},
        {"life_months": -5},
        {"life_months": 1201},
        {"end": date(2025, 12, 31)},
        {"method": DB},  # declining balance without annual_rate
        {"method": DB, "annual_rate": D("-1")},
        {"method": "sum_of_years_digits"},
        {"cost": D("1000.50"), "currency": "JPY"},  # not a whole number of yen
        {"cost": D("1000.005")},  # not a whole number of cents
        {"cost": D("NaN")},
    ],
    ids=repr,
)
def test_invalid_input_raises_value_error(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies with the input
        build_schedule(**{**VALID, **changes})  # type: ignore[arg-type]


def test_boundaries_are_accepted() -> None:
    assert len(build_schedule(**{**VALID, "life_months": 1200})) == 1200
    assert len(build_schedule(**{**VALID, "life_months": 1})) == 1
    assert len(build_schedule(**{**VALID, "salvage": D("1000")})) == 12
    assert len(build_schedule(**{**VALID, "cost": D("0"), "salvage": D("0")})) == 12
    assert len(build_schedule(**{**VALID, "end": date(2026, 1, 1)})) == 1
