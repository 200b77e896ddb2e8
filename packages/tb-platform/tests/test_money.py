"""Money input and rounding: what every service's amounts go through."""

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from tb_platform.money import Currency, Money, Percent, minor_unit, round_money


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
