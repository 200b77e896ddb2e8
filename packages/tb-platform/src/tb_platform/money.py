"""Money: exact decimals, ISO 4217 currencies, and rounding to a currency's minor unit.

Amounts are ``Decimal`` in Python, ``NUMERIC(14, 2)`` in PostgreSQL and decimal strings in JSON,
with the decimals of their currency (``"1234.50"`` EUR, ``"1235"`` JPY); numbers are accepted on
input, and text only as plain decimals (``"1234.50"``: no ``1_000``, spaces, exponents or NaN).
Currencies whose minor unit is 3 decimals (BHD, KWD, …) are refused for now: the columns keep 2
decimals.
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
)

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


@functools.cache
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: ``Decimal("0.01")``, or ``Decimal("1")`` for JPY."""
    # Cached: every amount of every response asks (a list of 50 assets, 200 times).
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


def format_money(amount: Decimal, currency: str | None = None, *, grouping: bool = False) -> str:
    """``amount`` as text with the decimals of ``currency``: ``"1001.50"`` EUR, ``"1001"`` JPY
    (two decimals without a currency); ``grouping`` adds thousands separators (``"1,001.50"``).

    An amount finer than the currency's minor unit (a yen fraction stored before fractions were
    refused) keeps its cents rather than being rounded out of sight.
    """
    if not grouping:
        # The common case, first: an amount read from a NUMERIC(14, 2) column in a 2-decimal
        # currency is already written as wanted (a page of assets formats 300 of them).
        text = str(amount)
        if "E" not in text and (amount or text[0] != "-"):
            point = text.find(".")
            if (len(text) - point - 1 if point >= 0 else 0) == CURRENCIES.get(currency or "", 2):
                return text
    unit = minor_unit(currency) if currency else CENT
    shown = amount.quantize(unit) if amount % unit == 0 else amount.quantize(CENT)
    if not shown:
        shown = abs(shown)  # no "-0"
    return f"{shown:,f}" if grouping else f"{shown:f}"


def as_written(amount: Decimal, currency: str) -> Decimal:
    """``amount`` as a Decimal whose text is :func:`format_money`'s (``str()`` of it gives
    ``"1200.00"`` EUR, ``"120000"`` JPY): for a response model that puts its amounts in this form
    once, while it is validated, and then lets pydantic write them as plain Decimals, with no
    Python call per amount (a page of fifty assets has 350; MoneyOut costs each one)."""
    decimals = CURRENCIES.get(currency, 2)
    if amount.as_tuple().exponent == -decimals and (amount or not amount.is_signed()):
        return amount  # as read from a NUMERIC(14, 2) column in a 2-decimal currency
    return Decimal(format_money(amount, currency))


# The currency of the response being written, for the amounts of models that do not carry one
# (an invoice's lines are in the invoice's currency). Set by InCurrency while it serialises.
_currency: ContextVar[str | None] = ContextVar("tb_platform_money_currency", default=None)


def _in_current_currency(amount: Decimal) -> str:
    return format_money(amount, _currency.get())


# An amount in a response: JSON text with the decimals of the currency of the nearest enclosing
# InCurrency model (two decimals outside of one).
MoneyOut = Annotated[
    Decimal, PlainSerializer(_in_current_currency, return_type=str, when_used="json")
]


class InCurrency(BaseModel):
    """A response model with a ``currency`` field: its MoneyOut amounts, and those of the models
    nested in it, are written with that currency's decimals."""

    # No return annotation on purpose: pydantic would take it as the schema of the output and
    # the model's fields would vanish from the OpenAPI document.
    @model_serializer(mode="wrap")
    def _amounts_in_currency(self, handler: SerializerFunctionWrapHandler):
        # Once per model written (fifty times a page): the context variable is set and reset
        # directly, as a generator-based context manager would cost more than the rest.
        token = _currency.set(getattr(self, "currency", None) or _currency.get())
        try:
            return handler(self)
        finally:
            _currency.reset(token)


def _by_currency(amounts: dict[str, Decimal]) -> dict[str, str]:
    return {currency: format_money(amount, currency) for currency, amount in amounts.items()}


# Totals keyed by currency code, each written with its currency's decimals.
MoneyByCurrency = Annotated[
    dict[str, Decimal],
    PlainSerializer(_by_currency, return_type=dict[str, str], when_used="json"),
]


def _check_currency(value: str) -> str:
    code = value.strip().upper()
    if code in _THREE_DECIMALS:
        raise ValueError(f"{code} has a 3-decimal minor unit, which is not supported yet")
    if code not in CURRENCIES:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


# An ISO 4217 code, e.g. "EUR"; lower case is accepted and upper-cased.
Currency = Annotated[str, AfterValidator(_check_currency)]


# Decimal text as a bookkeeper writes it: digits with at most one point, an optional minus (so
# that "-5" is told it must not be negative rather than that it is not a number). Decimal() would
# also read "1_000", " 12 ", "1e3", "NaN", "+5" and non-ASCII digits; none is what was meant.
_PLAIN_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _plain_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a decimal number")
    if isinstance(value, float):
        # 0.1 as a JSON number is the float 0.1000000000000000055…; str() gives the intended
        # "0.1" (and "1e+20" for a huge one, which the limits then refuse by size).
        return Decimal(str(value))
    if isinstance(value, str):
        if not _PLAIN_DECIMAL.fullmatch(value):
            raise ValueError(
                "must be a plain decimal such as 1234.50 (digits and one point; no spaces,"
                " underscores, exponent or plus sign)"
            )
        return Decimal(value)
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


def _json_number(value: Decimal | int) -> int | float:
    return int(value) if Decimal(value) == Decimal(value).to_integral_value() else float(value)


def _documented(
    *,
    max_digits: int,
    decimal_places: int,
    ge: Decimal | int | None = None,
    gt: Decimal | int | None = None,
    le: Decimal | int | None = None,
) -> tuple[WithJsonSchema, WithJsonSchema]:
    """The OpenAPI description of a decimal input: a JSON number within the bounds, or plain
    decimal text with at most ``decimal_places`` decimals; a decimal string in answers.

    Pydantic cannot put the bounds of a decimal read through a validator of its own into the
    schema: it wrote them as keys no JSON Schema reader knows (``"ge": 0``,
    ``"le": "999999999999.99"``, ``max_digits``), so the document said "any number or text".
    """
    number: dict[str, Any] = {"type": "number"}
    if gt is not None and (ge is None or gt >= ge):
        number["exclusiveMinimum"] = _json_number(gt)
    elif ge is not None:
        number["minimum"] = _json_number(ge)
    if le is not None:
        number["maximum"] = _json_number(le)
    whole = max_digits - decimal_places
    sign = "" if (ge is not None and ge >= 0) or (gt is not None and gt >= 0) else "-?"
    fraction = rf"(?:\.[0-9]{{0,{decimal_places}}})?" if decimal_places else r"\.?"
    text = rf"[0-9]{{1,{whole}}}{fraction}"
    if decimal_places:
        text = rf"(?:{text}|\.[0-9]{{1,{decimal_places}}})"
    places = f"at most {decimal_places} decimals" if decimal_places else "no decimals"
    description = (
        f"A decimal with {places}: a JSON number, or text of digits and one point"
        " (no spaces, underscores, exponent or plus sign)"
    )
    accepted = {
        "anyOf": [number, {"type": "string", "pattern": f"^{sign}{text}$"}],
        "description": description,
    }
    return (
        WithJsonSchema(accepted, mode="validation"),
        WithJsonSchema({"type": "string"}, mode="serialization"),
    )


def decimal_type(
    *,
    max_digits: int,
    decimal_places: int,
    ge: Decimal | int | None = None,
    le: Decimal | int | None = None,
    gt: Decimal | int | None = None,
) -> Any:
    """A decimal input type (quantity, percent, rate) with the same input rules as Money."""
    return Annotated[
        Decimal,
        BeforeValidator(_plain_decimal),
        Field(max_digits=max_digits, decimal_places=decimal_places, ge=ge, le=le, gt=gt),
        AfterValidator(_finite),
        PlainSerializer(_as_string, return_type=str, when_used="json"),
        *_documented(max_digits=max_digits, decimal_places=decimal_places, ge=ge, gt=gt, le=le),
    ]


# A non-negative amount with at most 2 decimals, serialised as a decimal string.
Money = Annotated[
    Decimal,
    BeforeValidator(_plain_decimal),
    Field(ge=0, le=MONEY_MAX, max_digits=14, decimal_places=2),
    AfterValidator(_finite),
    PlainSerializer(_as_string, return_type=str, when_used="json"),
    *_documented(max_digits=14, decimal_places=2, ge=0, le=MONEY_MAX),
]
# A positive amount (a payment, a price that must not be zero).
PositiveMoney = Annotated[
    Money, Field(gt=0), *_documented(max_digits=14, decimal_places=2, ge=0, gt=0, le=MONEY_MAX)
]


# Percentages 0-100 with two decimals (discount, tax rate, salvage percent).
Percent = decimal_type(max_digits=5, decimal_places=2, ge=0, le=100)
