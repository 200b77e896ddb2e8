"""Depreciation schedules: pure calculations, no database and no I/O.

One row per calendar month from the month of ``start`` for ``life_months`` months (the first
month is charged in full; its row starts on ``start``, later rows on the 1st, every row ends on
the month's last day). Amounts are rounded half-up to the currency's minor unit
(:func:`tb_platform.money.round_money`) and capped so that the accumulated depreciation never
exceeds ``cost - salvage``; the last month of the life takes whatever is left, so the amounts add
up to exactly ``cost - salvage`` and the final book value is the salvage value.

Conventions where the README is silent:

- Straight line charges the same rounded amount, ``(cost - salvage) / life``, every month
  (then 0 once the cap is reached); the last month absorbs the rounding.
- The declining methods compare the *rounded* straight-line charge over the remaining months,
  ``(book - salvage) / remaining``, with the *rounded* declining charge each month; from the first
  month where the former is at least the latter they stay on straight line, recomputed each month
  from the current book value (so the rounding never piles up on the last month).
- ``annual_rate`` 0 is accepted for declining balance (it then behaves like straight line).
- ``cost`` and ``salvage`` must be multiples of the currency's minor unit (whole yen for JPY).
- An ``end`` after the last month of the life changes nothing (the schedule is already complete).
- Every amount is returned with two decimals (``round_money``'s representation), also for JPY.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from tb_platform.money import CENT, minor_unit, round_money

from ..models.enums import DepreciationMethod

MAX_LIFE_MONTHS = 1200
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Period:
    period_start: date
    period_end: date
    depreciation_amount: Decimal
    accumulated_depreciation: Decimal
    book_value: Decimal


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _check_amount(name: str, value: Decimal, currency: str) -> Decimal:
    if not isinstance(value, Decimal):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a Decimal")
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    if value % minor_unit(currency) != 0:
        raise ValueError(f"{name} must be a multiple of {currency}'s minor unit")
    return value.quantize(CENT)


def build_schedule(
    *,
    cost: Decimal,
    salvage: Decimal,
    life_months: int,
    start: date,
    method: DepreciationMethod,
    annual_rate: Decimal | None = None,
    currency: str = "EUR",
    end: date | None = None,
) -> list[Period]:
    """The monthly schedule (see the module docstring); ``end`` (a disposal date) truncates it.

    Raises ``ValueError`` for a negative cost or salvage, salvage above cost, a life outside
    1..1200 months, ``end`` before ``start``, an unknown method, or a missing (or negative)
    ``annual_rate`` for declining balance.
    """
    method = DepreciationMethod(method)
    cost = _check_amount("cost", cost, currency)
    salvage = _check_amount("salvage", salvage, currency)
    if salvage > cost:
        raise ValueError("salvage must not exceed cost")
    if isinstance(life_months, bool) or not isinstance(life_months, int):
        raise ValueError("life_months must be an integer")
    if not 1 <= life_months <= MAX_LIFE_MONTHS:
        raise ValueError(f"life_months must be between 1 and {MAX_LIFE_MONTHS}")
    if end is not None and end < start:
        raise ValueError("end must not be before start")
    monthly_rate = Decimal(0)
    if method is DepreciationMethod.DECLINING_BALANCE:
        if annual_rate is None:
            raise ValueError("annual_rate is required for declining_balance")
        annual_rate = Decimal(annual_rate)
        if not annual_rate.is_finite() or annual_rate < 0:
            raise ValueError("annual_rate must be a non-negative number")
        monthly_rate = annual_rate / 1200  # percent per year -> fraction per month
    elif method is DepreciationMethod.DOUBLE_DECLINING_BALANCE:
        monthly_rate = Decimal(2) / life_months

    def rounded(amount: Decimal) -> Decimal:
        return round_money(amount, currency)

    depreciable = cost - salvage
    straight = rounded(depreciable / life_months)  # used by the straight-line method only
    switched = False  # a declining method has switched to straight line

    # Only the months up to ``end`` are needed: the rows are those of the full schedule anyway.
    months = life_months
    if end is not None:
        months = min(months, (end.year - start.year) * 12 + end.month - start.month + 1)

    rows: list[Period] = []
    accumulated = _ZERO
    year, month = start.year, start.month
    for index in range(months):
        left = depreciable - accumulated  # book value - salvage, never negative
        remaining = life_months - index
        if index == life_months - 1:
            amount = left  # the last month of the life absorbs the rounding
        elif method is DepreciationMethod.STRAIGHT_LINE:
            amount = straight
        elif switched:
            amount = rounded(left / remaining)
        else:
            declining = rounded((cost - accumulated) * monthly_rate)
            switch = rounded(left / remaining)
            if switch >= declining:
                switched = True
                amount = switch
            else:
                amount = declining
        amount = min(amount, left)
        accumulated += amount
        period_start = start if index == 0 else date(year, month, 1)
        rows.append(
            Period(
                period_start=period_start,
                period_end=_month_end(year, month),
                depreciation_amount=amount,
                accumulated_depreciation=accumulated,
                book_value=cost - accumulated,
            )
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    if end is not None and rows and end <= rows[-1].period_end:
        rows[-1] = replace(rows[-1], period_end=end)
    return rows


def book_value_at(
    schedule: Sequence[Period], *, cost: Decimal, at: date
) -> tuple[Decimal, Decimal]:
    """(book value, accumulated depreciation) on day `at`: periods count once at >= their period_end.

    Before the first period_end (or with an empty schedule) that is ``(cost, 0.00)``; after the
    last one, the last row's values. ``schedule`` must be in date order, as ``build_schedule``
    returns it.
    """
    counted = bisect_right(schedule, at, key=lambda period: period.period_end)
    accumulated = schedule[counted - 1].accumulated_depreciation if counted else _ZERO
    return (Decimal(cost) - accumulated).quantize(CENT), accumulated
