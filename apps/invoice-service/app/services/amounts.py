"""The arithmetic of invoices: exact decimals, rounded half-up to the currency's minor unit.

Every amount is rounded once, per line, as it is computed; totals are plain sums of rounded
amounts, so that the lines printed on an invoice always add up to its totals.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from tb_platform.errors import InvalidField
from tb_platform.money import MONEY_MAX, round_money

HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LineAmounts:
    net_amount: Decimal
    tax_amount: Decimal
    total: Decimal


def line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    tax_rate: Decimal,
    currency: str,
) -> LineAmounts:
    """``net = round(q * price * (1 - discount/100))``, ``tax = round(net * rate/100)``."""
    with localcontext() as context:
        context.prec = 60  # exact for every input the validators let through
        net = round_money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED, currency)
        tax = round_money(net * tax_rate / HUNDRED, currency)
    return LineAmounts(net_amount=net, tax_amount=tax, total=net + tax)


def split_gross(*, gross: Decimal, tax_rate: Decimal, currency: str) -> LineAmounts:
    """A gross amount at ``tax_rate`` → its net and tax parts (net rounded, tax the rest)."""
    with localcontext() as context:
        context.prec = 60
        net = round_money(gross * HUNDRED / (HUNDRED + tax_rate), currency)
    return LineAmounts(net_amount=net, tax_amount=gross - net, total=gross)


def check_storable(amount: Decimal, field: str | list[str | int], what: str) -> None:
    """422 when an amount is too large for NUMERIC(14, 2), rather than a database error."""
    if abs(amount) > MONEY_MAX:
        raise InvalidField(field, f"{what} exceeds the largest amount that can be stored")


def sums(amounts: Iterable[LineAmounts]) -> LineAmounts:
    net = tax = ZERO
    for amount in amounts:
        net += amount.net_amount
        tax += amount.tax_amount
    return LineAmounts(net_amount=net, tax_amount=tax, total=net + tax)
