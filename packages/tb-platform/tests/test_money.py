"""Money input and rounding: what every service's amounts go through."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from tb_platform.errors import InvalidField
from tb_platform.money import Currency, Money, Percent, check_minor_unit, minor_unit, round_money
from tb_platform.types import CLOCK_SKEW, PastUtcDatetime


class Body(BaseModel):
    amount: Money
    currency: Currency = "EUR"
    rate: Percent = Decimal(0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.1, "0.1"), ("1234.50", "1234.50"), (1999, "1999"), ("0", "0")],
)
def test_amounts_arrive_as_exact_decimals_and_leave_as_strings(raw: object, expected: str) -> None:
    body = Body.model_validate({"amount": raw})
    assert body.amount == Decimal(expected)
    assert body.model_dump(mode="json")["amount"] == expected


@pytest.mark.parametrize("raw", [-1, "1.234", "NaN", "Infinity", True, "1e20", "12abc", None])
def test_bad_amounts_are_refused(raw: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"amount": raw})
    assert caught.value.errors()[0]["loc"] == ("amount",)


def test_currency_codes_are_upper_cased_and_checked() -> None:
    assert Body.model_validate({"amount": 1, "currency": "usd"}).currency == "USD"
    for bad in ("XXX", "EURO", "", "KWD"):  # KWD: three decimals, not supported yet
        with pytest.raises(ValidationError):
            Body.model_validate({"amount": 1, "currency": bad})


def test_percent_is_between_0_and_100_with_two_decimals() -> None:
    assert Body.model_validate({"amount": 1, "rate": "19.5"}).rate == Decimal("19.5")
    for bad in (-0.01, 100.01, "7.125"):
        with pytest.raises(ValidationError):
            Body.model_validate({"amount": 1, "rate": bad})


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "EUR", "0.01"),  # half-up, not banker's rounding
        ("0.015", "EUR", "0.02"),
        ("-0.005", "EUR", "-0.01"),
        ("2.5", "JPY", "3.00"),
        ("1.49", "JPY", "1.00"),
        ("10.004", None, "10.00"),
    ],
)
def test_round_money_is_half_up_to_the_minor_unit(
    amount: str, currency: str | None, expected: str
) -> None:
    rounded = round_money(Decimal(amount), currency)
    assert rounded == Decimal(expected)
    assert str(rounded) == expected


def test_minor_units() -> None:
    assert minor_unit("EUR") == Decimal("0.01")
    assert minor_unit("JPY") == Decimal(1)


def test_check_minor_unit_refuses_fractions_the_currency_does_not_have() -> None:
    check_minor_unit(Decimal("10.25"), "EUR", "amount")
    check_minor_unit(Decimal("1000"), "JPY", "amount")
    with pytest.raises(InvalidField) as caught:
        check_minor_unit(Decimal("1000.50"), "JPY", "amount")
    assert caught.value.detail[0]["field"] == "amount"


class Happened(BaseModel):
    at: PastUtcDatetime


def test_past_instants_allow_the_clock_skew_and_refuse_the_future() -> None:
    now = datetime.now(UTC)
    assert Happened.model_validate({"at": now - timedelta(days=400)}).at < now
    assert Happened.model_validate({"at": now + CLOCK_SKEW / 2}).at > now
    for bad in (now + CLOCK_SKEW * 2, "2026-01-01T10:00:00"):  # the future; a naive time
        with pytest.raises(ValidationError):
            Happened.model_validate({"at": bad})
