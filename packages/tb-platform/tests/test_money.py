"""Money input and rounding: what every service's amounts go through."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from tb_platform.errors import InvalidField
from tb_platform.money import (
    Currency,
    InCurrency,
    Money,
    MoneyByCurrency,
    MoneyOut,
    Percent,
    PositiveMoney,
    check_minor_unit,
    decimal_type,
    format_money,
    minor_unit,
    round_money,
)
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


class Measures(BaseModel):
    amount: Money = Decimal(0)
    quantity: decimal_type(max_digits=12, decimal_places=3, gt=0) = Decimal(1)  # type: ignore[valid-type]
    rate: Percent = Decimal(0)


@pytest.mark.parametrize("field", ["amount", "quantity", "rate"])
@pytest.mark.parametrize(
    "raw",
    [
        "1_000",  # Python's digit grouping
        "1 000",
        " 12 ",
        "12 ",
        "\t12",
        "12\n",
        "1e3",
        "1E3",
        "12e0",
        "NaN",
        "nan",
        "-NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "+5",
        "0x10",
        "\u0661\u0662",  # Arabic-Indic digits, which Decimal() would read as 12
        "1,5",
        "1.2.3",
        ".",
        "",
        "-",
    ],
)
def test_decimal_text_is_plain_digits_and_one_point(field: str, raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Measures.model_validate({field: raw})
    assert caught.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", "12"), ("12.5", "12.5"), ("0.50", "0.50"), (".5", "0.5"), ("5.", "5"), ("007", "7")],
)
def test_plain_decimal_text_and_json_numbers_are_accepted(raw: str, expected: str) -> None:
    for value in (raw, float(raw)):
        assert Measures.model_validate({"amount": value, "quantity": value}).amount == Decimal(
            expected
        )
    assert Measures.model_validate({"quantity": 1e-3}).quantity == Decimal("0.001")
    assert Measures.model_validate({"amount": 12}).amount == Decimal(12)


class Priced(BaseModel):
    price: PositiveMoney
    discount: Percent | None = None
    quantity: decimal_type(max_digits=12, decimal_places=3, gt=0)  # type: ignore[valid-type]


JSON_SCHEMA_WORDS = {"type", "anyOf", "pattern", "minimum", "exclusiveMinimum", "maximum"}


def _words(schema: object) -> set[str]:
    if isinstance(schema, dict):
        return set(schema) | {word for value in schema.values() for word in _words(value)}
    if isinstance(schema, list):
        return {word for value in schema for word in _words(value)}
    return set()


def test_openapi_describes_decimal_inputs_with_their_bounds_in_json_schema() -> None:
    """Found by fuzzing the invoice service: every amount, percent and quantity was documented
    as any number or any text, with its bounds as keys no JSON Schema reader knows
    (``"ge": 0``, ``"le": "999999999999.99"``, ``max_digits``)."""
    fields = Priced.model_json_schema()["properties"]
    price, discount, quantity = fields["price"], fields["discount"]["anyOf"][0], fields["quantity"]
    for schema in (price, discount, quantity):
        assert _words(schema["anyOf"]) <= JSON_SCHEMA_WORDS, schema
    assert price["anyOf"][0] == {
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": 999999999999.99,
    }
    assert discount["anyOf"][0] == {"type": "number", "minimum": 0, "maximum": 100}
    assert quantity["anyOf"][0] == {"type": "number", "exclusiveMinimum": 0}
    # Answers carry decimals as text.
    answer = Priced.model_json_schema(mode="serialization")["properties"]
    assert answer["price"] == {"title": "Price", "type": "string"}


@pytest.mark.parametrize(
    ("field", "text", "documented"),
    [
        ("price", "1234.50", True),
        ("price", "1.", True),
        ("price", ".5", True),
        ("price", "999999999999.99", True),
        ("price", "1.234", False),
        ("price", "1e3", False),
        ("price", "-5", False),
        ("price", " 5", False),
        ("quantity", "1.125", True),
        ("quantity", "1.1255", False),
    ],
)
def test_the_documented_decimal_text_is_what_the_service_accepts(
    field: str, text: str, documented: bool
) -> None:
    pattern = Priced.model_json_schema()["properties"][field]["anyOf"][1]["pattern"]
    assert bool(re.fullmatch(pattern, text)) is documented
    body = {"price": "1", "quantity": "1", field: text}
    if documented:
        Priced.model_validate(body)
    else:
        with pytest.raises(ValidationError):
            Priced.model_validate(body)


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


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1001.50", "EUR", "1001.50"),
        ("1001", "EUR", "1001.00"),
        ("0", "EUR", "0.00"),
        ("-12.3", "USD", "-12.30"),
        ("1001.00", "JPY", "1001"),
        ("1001", "JPY", "1001"),
        ("-0.00", "JPY", "0"),
        ("-7.00", "KRW", "-7"),
        ("1001.50", "JPY", "1001.50"),  # finer than a yen (stored before the rule): not hidden
        ("999999999999.99", None, "999999999999.99"),
        ("12", None, "12.00"),
        ("-0.00", "EUR", "0.00"),
        ("-0.50", "EUR", "-0.50"),
        ("1E+2", "EUR", "100.00"),
        ("1.5E+3", "JPY", "1500"),
        ("120000", "JPY", "120000"),
        ("0.000001", "EUR", "0.00"),
    ],
)
def test_amounts_are_shown_with_the_decimals_of_their_currency(
    amount: str, currency: str | None, expected: str
) -> None:
    assert format_money(Decimal(amount), currency) == expected


def test_grouped_amounts_for_print() -> None:
    assert format_money(Decimal("1234567.5"), "EUR", grouping=True) == "1,234,567.50"
    assert format_money(Decimal("1234567"), "JPY", grouping=True) == "1,234,567"


class Line(BaseModel):
    price: MoneyOut
    quantity: Decimal


class Invoice(InCurrency):
    currency: str
    total: MoneyOut
    lines: list[Line]
    payments: list["Payment"] = []


class Payment(InCurrency):
    currency: str
    amount: MoneyOut


class Report(BaseModel):
    rows: list[Invoice]
    totals: MoneyByCurrency


def test_a_model_shows_its_amounts_and_its_childrens_in_its_currency() -> None:
    line = Line(price=Decimal("1001.00"), quantity=Decimal("1.5"))
    report = Report(
        rows=[
            Invoice(currency="JPY", total=Decimal("1502.00"), lines=[line]),
            Invoice(
                currency="EUR",
                total=Decimal("10"),
                lines=[line],
                payments=[Payment(currency="EUR", amount=Decimal("2.5"))],
            ),
        ],
        totals={"JPY": Decimal("1502.00"), "EUR": Decimal("10")},
    )
    assert report.model_dump(mode="json") == {
        "rows": [
            {
                "currency": "JPY",
                "total": "1502",
                "lines": [{"price": "1001", "quantity": "1.5"}],
                "payments": [],
            },
            {
                "currency": "EUR",
                "total": "10.00",
                "lines": [{"price": "1001.00", "quantity": "1.5"}],
                "payments": [{"currency": "EUR", "amount": "2.50"}],
            },
        ],
        "totals": {"JPY": "1502", "EUR": "10.00"},
    }
    # Outside any currency: two decimals. Python mode keeps the Decimals.
    assert line.model_dump(mode="json") == {"price": "1001.00", "quantity": "1.5"}
    assert report.model_dump()["rows"][0]["total"] == Decimal("1502.00")
    # The JSON schema of a response is unchanged: amounts are strings.
    schema = Invoice.model_json_schema(mode="serialization")
    assert schema["properties"]["total"]["type"] == "string"
    assert set(schema["required"]) >= {"currency", "total", "lines"}


class Happened(BaseModel):
    at: PastUtcDatetime


def test_past_instants_allow_the_clock_skew_and_refuse_the_future() -> None:
    now = datetime.now(UTC)
    assert Happened.model_validate({"at": now - timedelta(days=400)}).at < now
    assert Happened.model_validate({"at": now + CLOCK_SKEW / 2}).at > now
    for bad in (now + CLOCK_SKEW * 2, "2026-01-01T10:00:00"):  # the future; a naive time
        with pytest.raises(ValidationError):
            Happened.model_validate({"at": bad})
