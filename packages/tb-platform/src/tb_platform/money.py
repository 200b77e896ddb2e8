"""Money: exact decimals, ISO 4217 currencies, and rounding to a currency's minor unit.

Amounts are ``Decimal`` in Python, ``NUMERIC(14, 2)`` in PostgreSQL and decimal strings in JSON
(``"1234.50"``); numbers are accepted on input. Currencies whose minor unit is 3 decimals (BHD,
KWD, …) are refused for now: the columns keep 2 decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer

from .errors import InvalidField

# Active ISO 4217 codes → decimals of the minor unit (0 or 2; see the module docstring for 3).
_ZERO_DECIMALS = frozenset(
    """BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF""".split()  # noqa: SIM905
)
_THREE_DECIMALS = frozenset(
    """BHD IQD JOD KWD LYD OMR TND""".split()  # noqa: SIM905
)
_TWO_DECIMALS = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR
    LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD
    PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWL""".split()  # noqa: SIM905
)
CURRENCIES: dict[str, int] = {
    **dict.fromkeys(_TWO_DECIMALS, 2),
    **dict.fromkeys(_ZERO_DECIMALS, 0),
}

MONEY_MAX = Decimal("999999999999.99")  # what NUMERIC(14, 2) holds
CENT = Decimal("0.01")


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: ``Decimal("0.01")``, or ``Decimal("1")`` for JPY."""
    return Decimal(1).scaleb(-CURRENCIES.get(currency, 2))


def round_money(amount: Decimal, currency: str | None = None) -> Decimal:
    """Round half-up to the currency's minor unit (cents when no currency is given)."""
    unit = minor_unit(currency) if currency else CENT
    return amount.quantize(unit, rounding=ROUND_HALF_UP).quantize(CENT)


def check_minor_unit(amount: Decimal, currency: str, field: str | list[str | int]) -> None:
    """422 on ``field`` when ``amount`` is not a whole number of the currency's minor unit
    (no cents in JPY)."""
    unit = minor_unit(currency)
    if amount % unit:
        raise InvalidField(field, f"{currency} amounts have no fractions below {unit}")


def _check_currency(value: str) -> str:
    code = value.strip().upper()
    if code in _THREE_DECIMALS:
        raise ValueError(f"{code} has a 3-decimal minor unit, which is not supported yet")
    if code not in CURRENCIES:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


# An ISO 4217 code, e.g. "EUR"; lower case is accepted and upper-cased.
Currency = Annotated[str, AfterValidator(_check_currency)]


def _no_float_noise(value: Any) -> Any:
    # 0.1 as a JSON number is the float 0.1000000000000000055…; str() gives the intended "0.1".
    if isinstance(value, float):
        return str(value)
    if isinstance(value, bool):
        raise ValueError("must be a decimal number")
    return value


def _finite(value: Decimal) -> Decimal:
    try:
        if not value.is_finite():
            raise ValueError("must be a finite number")
    except InvalidOperation as exc:  # pragma: no cover - is_finite never raises; kept defensive
        raise ValueError("must be a number") from exc
    return value


def _as_string(value: Decimal) -> str:
    return str(value)


# A non-negative amount with at most 2 decimals, serialised as a decimal string.
Money = Annotated[
    Decimal,
    BeforeValidator(_no_float_noise),
    Field(ge=0, le=MONEY_MAX, max_digits=14, decimal_places=2),
    AfterValidator(_finite),
    PlainSerializer(_as_string, return_type=str, when_used="json"),
]
# A positive amount (a payment, a price that must not be zero).
PositiveMoney = Annotated[Money, Field(gt=0)]


def decimal_type(
    *,
    max_digits: int,
    decimal_places: int,
    ge: Decimal | int | None = None,
    le: Decimal | int | None = None,
    gt: Decimal | int | None = None,
) -> Any:
    """A decimal input type (quantity, percent, rate) with the same JSON handling as Money."""
    return Annotated[
        Decimal,
        BeforeValidator(_no_float_noise),
        Field(max_digits=max_digits, decimal_places=decimal_places, ge=ge, le=le, gt=gt),
        AfterValidator(_finite),
        PlainSerializer(_as_string, return_type=str, when_used="json"),
    ]


# Percentages 0-100 with two decimals (discount, tax rate, salvage percent).
Percent = decimal_type(max_digits=5, decimal_places=2, ge=0, le=100)
