"""Live totals (POST /invoices/preview): what a draft of the body would come to, rounded exactly as
creating it rounds, with the same 422s, and nothing written."""

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from invoice_service.models import Invoice, LineItem
from tb_platform.testing import TokenFactory

from .conftest import INVOICES, Factory, expected_line, fields_of, line, money

PREVIEW = f"{INVOICES}/preview"

LINES = [
    line("3", "19.99", tax_rate="19"),
    line("0.333", "10.00", discount_percent="12.5", tax_rate="7"),
    line("1", "0.05", tax_rate="19"),  # 0.0095 tax rounds half-up to 0.01
    line("2.5", "1234.56", discount_percent="3"),
]


async def _count(connection: AsyncConnection, model: Any) -> int:
    return int(await connection.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_preview_answers_what_creating_the_invoice_stores(
    client: httpx.AsyncClient,
    accountant: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    customer = await make.customer(currency="EUR")
    body = {"customer_id": customer["id"], "lines": LINES}
    invoices, lines = await _count(connection, Invoice), await _count(connection, LineItem)

    response = await client.post(PREVIEW, json=body, headers=accountant)

    assert response.status_code == 200, response.text
    preview = response.json()
    # Nothing was written.
    assert (await _count(connection, Invoice), await _count(connection, LineItem)) == (
        invoices,
        lines,
    )
    # Against the formula, computed here independently of the service.
    expected = [
        expected_line(
            x["quantity"], x["unit_price"], x.get("discount_percent", 0), x.get("tax_rate", 0)
        )
        for x in LINES
    ]
    assert [
        (money(row["net_amount"]), money(row["tax_amount"]), money(row["total"]))
        for row in preview["lines"]
    ] == expected
    assert [row["position"] for row in preview["lines"]] == [1, 2, 3, 4]
    assert money(preview["subtotal"]) == sum((net for net, _, _ in expected), Decimal(0))
    assert money(preview["tax_total"]) == sum((tax for _, tax, _ in expected), Decimal(0))
    assert money(preview["total"]) == sum((total for _, _, total in expected), Decimal(0))
    # And against the invoice the same body creates: the same figures, field for field.
    created = (await client.post(INVOICES, json=body, headers=accountant)).json()
    assert preview["currency"] == created["currency"] == "EUR"
    for field in ("subtotal", "tax_total", "total"):
        assert preview[field] == created[field]
    for previewed, stored in zip(preview["lines"], created["lines"], strict=True):
        for field in ("position", "net_amount", "tax_amount", "total"):
            assert previewed[field] == stored[field]


async def test_the_currency_comes_from_the_body_or_the_customer_and_yen_have_no_decimals(
    client: httpx.AsyncClient, accountant: dict[str, str], make: Factory
) -> None:
    yen = await make.customer(currency="JPY")
    body = {"customer_id": yen["id"], "lines": [line("3", "333", tax_rate="10")]}

    from_customer = await client.post(PREVIEW, json=body, headers=accountant)
    assert from_customer.status_code == 200, from_customer.text
    assert from_customer.json() == {
        "currency": "JPY",
        "lines": [{"position": 1, "net_amount": "999", "tax_amount": "100", "total": "1099"}],
        "subtotal": "999",
        "tax_total": "100",
        "total": "1099",
    }
    # No customer chosen yet: the currency given is enough.
    no_customer = await client.post(
        PREVIEW, json={"currency": "usd", "lines": [line("1", "10.00")]}, headers=accountant
    )
    assert no_customer.status_code == 200, no_customer.text
    assert (no_customer.json()["currency"], no_customer.json()["total"]) == ("USD", "10.00")
    # No lines yet: all zero.
    empty = await client.post(PREVIEW, json={"currency": "EUR"}, headers=accountant)
    assert empty.json() == {
        "currency": "EUR",
        "lines": [],
        "subtotal": "0.00",
        "tax_total": "0.00",
        "total": "0.00",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"currency": "JPY", "lines": [line("1", "1000"), line("1", "10.5")]},
            "lines.1.unit_price",
        ),
        ({"currency": "EUR", "lines": [line("0", "10")]}, "lines.0.quantity"),
        ({"currency": "EUR", "lines": [line("1", "-1")]}, "lines.0.unit_price"),
        ({"currency": "EUR", "lines": [line("1", "10", tax_rate="100.5")]}, "lines.0.tax_rate"),
        ({"currency": "EUR", "lines": [line("1", "1e3")]}, "lines.0.unit_price"),
        (
            {"currency": "EUR", "lines": [line("999999", "999999999999.99")]},
            "lines.0.unit_price",
        ),
        ({"currency": "EURO", "lines": []}, "currency"),
        ({"lines": [line()]}, "currency"),
        ({"customer_id": 999_999, "lines": [line()]}, "customer_id"),
        ({"currency": "EUR", "colour": "red"}, "colour"),
    ],
)
async def test_bad_input_is_the_422_creating_answers(
    client: httpx.AsyncClient,
    accountant: dict[str, str],
    make: Factory,
    body: dict[str, Any],
    field: str,
) -> None:
    assert fields_of(await client.post(PREVIEW, json=body, headers=accountant)) == [field]
    # Creating refuses the same body on the same field (given a customer where it needs one).
    if field not in ("currency", "customer_id"):
        customer = await make.customer()
        created = await client.post(
            INVOICES, json={"customer_id": customer["id"], **body}, headers=accountant
        )
        assert fields_of(created) == [field]


async def test_only_those_who_write_invoices_may_preview(
    client: httpx.AsyncClient, tokens: TokenFactory, admin: dict[str, str]
) -> None:
    body = {"currency": "EUR", "lines": [line()]}
    for role in ("hr_manager", "asset_manager", "employee"):
        response = await client.post(
            PREVIEW, json=body, headers=tokens.headers(role, employee_id=9)
        )
        assert response.status_code == 403, role
    assert (await client.post(PREVIEW, json=body)).status_code == 401
    assert (await client.post(PREVIEW, json=body, headers=admin)).status_code == 200
