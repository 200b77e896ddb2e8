"""What the depreciation schedule should be, worked out here independently of the service."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Row:
    period: str
    period_end: date
    amount: Decimal
    accumulated: Decimal
    book_value: Decimal


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def straight_line(
    cost: Decimal, salvage: Decimal, life: int, purchased: date, unit: Decimal = CENT
) -> list[Row]:
    """One row per month from the purchase month; equal rounded amounts, the last absorbs."""
    base = cost - salvage
    monthly = (base / life).quantize(unit, rounding=ROUND_HALF_UP)
    rows: list[Row] = []
    accumulated = Decimal("0.00")
    for index in range(life):
        year, month = add_months(purchased.year, purchased.month, index)
        amount = monthly if index < life - 1 else base - accumulated
        accumulated += amount
        rows.append(
            Row(
                period=f"{year:04d}-{month:02d}",
                period_end=month_end(year, month),
                amount=amount,
                accumulated=accumulated,
                book_value=cost - accumulated,
            )
        )
    return rows


def book_value_at(cost: Decimal, rows: list[Row], at: date) -> Decimal:
    """A month's depreciation counts from its period_end."""
    counted = [row for row in rows if row.period_end <= at]
    return counted[-1].book_value if counted else cost


def day_before(day: date) -> date:
    return day - timedelta(days=1)
