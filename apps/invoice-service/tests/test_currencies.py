"""Currencies without minor units (JPY): no fractions accepted, none shown; EUR keeps its cents.

Every amount of a currency is written with that currency's decimals, wherever it appears: the
invoice, its lines, payments, credit notes, the reports and the PDF.
"""

import io
import re
from typing import Any

import httpx
import pypdf
import pytest

from tb_platform.uow import FrozenClock

from .conftest import INVOICES, Factory, fields_of, line

WHOLE = re.compile(r"^-?\d+$")
CENTS = re.compile(r"^-?\d+\.\d{2}$")


async def test_a_yen_price_with_a_fraction_is_refused_naming_the_line(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    yen = await make.customer(currency="JPY")
    body = {"customer_id": yen["id"], "lines": [line("1", "1000"), line("2", "1000.50")]}
    assert fields_of(await client.post(INVOICES, json=body, headers=admin)) == [
        "lines.1.unit_price"
    ]
    # The invoice's currency decides, not the customer's.
    euro = await make.customer(currency="EUR")
    body = {"customer_id": euro["id"], "currency": "JPY", "lines": [line("1", "10.5")]}
    assert fields_of(await client.post(INVOICES, json=body, headers=admin)) == [
        "lines.0.unit_price"
    ]
    # Whole yen are fine however they are written; so are fractions of a quantity.
    draft = await make.draft(yen, lines=[line("1.5", "1000.00"), line("1", 300)])
    assert [row["unit_price"] for row in draft["lines"]] == ["1000", "300"]

    replaced = await client.patch(
        f"{INVOICES}/{draft['id']}", json={"lines": [line("1", "0.5")]}, headers=admin
    )
    assert fields_of(replaced) == ["lines.0.unit_price"]


async def test_a_draft_with_cents_cannot_move_to_a_currency_without_them(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    euro = await make.customer(currency="EUR")
    cents = await make.draft(euro, lines=[line("1", "10.50")])
    moved = await client.patch(f"{INVOICES}/{cents['id']}", json={"currency": "JPY"}, headers=admin)
    assert fields_of(moved) == ["currency"]
    assert (await make.get(cents["id"]))["currency"] == "EUR"

    whole = await make.draft(euro, lines=[line("3", "10.00", tax_rate="10")])
    moved = await client.patch(f"{INVOICES}/{whole['id']}", json={"currency": "JPY"}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["currency"], moved.json()["total"]) == ("JPY", "33")


async def test_yen_payments_and_credits_with_fractions_are_refused(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    yen = await make.customer(currency="JPY")
    invoice = await make.issued(yen, lines=[line("1", "5000")])
    payment = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "100.5", "method": "cash"},
        headers=admin,
    )
    assert fields_of(payment) == ["amount"]
    credit = await client.post(
        f"{INVOICES}/{invoice['id']}/credit-notes",
        json={"reason": "Goodwill", "amount": "0.50", "tax_rate": "0"},
        headers=admin,
    )
    assert fields_of(credit) == ["amount"]


def _amounts(document: Any, *names: str) -> list[str]:
    return [document[name] for name in names]


async def _issued_and_settled(make: Factory, currency: str, price: str) -> dict[str, Any]:
    """An invoice of 1.5 x ``price`` at 10 % tax, partly paid, partly credited."""
    customer = await make.customer(currency=currency)
    invoice = await make.issued(customer, lines=[line("1.5", price, tax_rate="10")])
    await make.pay(invoice["id"], "652")
    await make.credit(invoice["id"], amount="110", tax_rate="10")
    return await make.get(invoice["id"])


@pytest.mark.parametrize(
    ("currency", "price", "expected", "pattern"),
    [
        # net round(1.5 x 1001) = 1502 (yen) / 1501.50; tax 150 / 150.15
        ("JPY", "1001", ("1001", "1502", "150", "1652", "652", "110", "890"), WHOLE),
        (
            "GBP",
            "1001.00",
            ("1001.00", "1501.50", "150.15", "1651.65", "652.00", "110.00", "889.65"),
            CENTS,
        ),
    ],
)
async def test_amounts_are_shown_with_the_decimals_of_their_currency(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    currency: str,
    price: str,
    expected: tuple[str, ...],
    pattern: re.Pattern[str],
    clock: FrozenClock,
) -> None:
    unit, net, tax, total, paid, credited, balance = expected
    invoice = await _issued_and_settled(make, currency, price)
    [row] = invoice["lines"]
    assert _amounts(row, "unit_price", "net_amount", "tax_amount", "total") == [
        unit,
        net,
        tax,
        total,
    ]
    assert (row["quantity"], row["tax_rate"]) == ("1.500", "10.00")  # not money: as they are
    assert _amounts(invoice, "subtotal", "tax_total", "total") == [net, tax, total]
    assert _amounts(invoice, "amount_paid", "credited_total", "balance_due") == [
        paid,
        credited,
        balance,
    ]
    [payment] = invoice["payments"]
    assert (payment["amount"], payment["currency"]) == (paid, currency)
    [note] = invoice["credit_notes"]
    assert (note["total"], note["currency"]) == (credited, currency)
    assert pattern.match(note["subtotal"])
    assert pattern.match(note["lines"][0]["net_amount"])

    # The payment and credit note endpoints, on their own.
    payments = await client.get(f"{INVOICES}/{invoice['id']}/payments", headers=admin)
    assert [(p["amount"], p["currency"]) for p in payments.json()["items"]] == [(paid, currency)]
    notes = await client.get(f"{INVOICES}/{invoice['id']}/credit-notes", headers=admin)
    assert [(n["total"], n["refund_amount"]) for n in notes.json()["items"]] == [
        (credited, "0" if pattern is WHOLE else "0.00")
    ]

    # The reports: every amount of this currency's rows.
    day = {"from": clock.today().isoformat(), "to": clock.today().isoformat()}
    for path, params in (
        ("/api/v1/tax-records", day),
        ("/api/v1/invoices/summary", {"from": clock.today().isoformat()}),
        ("/api/v1/invoices/aging", {}),
    ):
        response = await client.get(path, params=params, headers=admin)
        assert response.status_code == 200, response.text
        body = response.json()
        rows = [r for r in [*body["items"], *body.get("totals", [])] if r["currency"] == currency]
        assert rows, path
        for report_row in rows:
            for name, value in report_row.items():
                if name not in ("currency", "tax_rate", "records", "month"):
                    assert pattern.match(value), (path, name, value)
    aging = await client.get("/api/v1/invoices/aging", headers=admin)
    [aging_row] = [r for r in aging.json()["items"] if r["currency"] == currency]
    assert (aging_row["current"], aging_row["total"]) == (balance, balance)


async def test_the_pdf_prints_yen_without_decimals_and_euro_with_them(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    def text_of(response: httpx.Response) -> str:
        assert response.status_code == 200, response.text
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)

    yen = await _issued_and_settled(make, "JPY", "1001")
    printed = text_of(await client.get(f"{INVOICES}/{yen['id']}/pdf", headers=admin))
    for amount in ("1,001", "1,502", "1,652 JPY", "652 JPY", "890 JPY"):
        assert amount in printed, amount
    for amount in ("1,001.00", "1,502.00", "1,652.00", "652.00", "890.00", "150.00"):
        assert amount not in printed, amount

    euro = await _issued_and_settled(make, "EUR", "1001.00")
    printed = text_of(await client.get(f"{INVOICES}/{euro['id']}/pdf", headers=admin))
    for amount in ("1,001.00", "1,501.50", "1,651.65 EUR", "652.00 EUR", "889.65 EUR"):
        assert amount in printed, amount
