"""The implementer's quick end-to-end checks (the full suite lives in the other test modules)."""

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from invoice_service.cli import ALEMBIC_DIR
from invoice_service.core.config import InvoiceSettings
from invoice_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import TokenFactory, api_client, temporary_database

API = "/api/v1"


async def _customer(client: httpx.AsyncClient, headers: dict[str, str], **fields: Any) -> dict:
    body = {"name": "Acme GmbH", "email": "billing@acme.test", "payment_terms_days": 14, **fields}
    response = await client.post(f"{API}/customers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _draft(
    client: httpx.AsyncClient, headers: dict[str, str], customer_id: int, **fields: Any
) -> dict:
    body = {
        "customer_id": customer_id,
        "issue_date": "2026-03-10",
        "lines": [
            # 3 x 19.99 = 59.97, 10 % off = 53.973 → 53.97; 19 % tax = 10.2543 → 10.25
            {
                "description": "Widget",
                "quantity": "3",
                "unit_price": "19.99",
                "discount_percent": 10,
                "tax_rate": 19,
            },
            # 1.5 x 100 = 150.00; 7 % = 10.50
            {"description": "Service hours", "quantity": 1.5, "unit_price": 100, "tax_rate": "7"},
        ],
        **fields,
    }
    response = await client.post(f"{API}/invoices", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_invoice_lifecycle(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    customer = await _customer(client, admin)
    draft = await _draft(client, admin, customer["id"])
    assert draft["status"] == "draft"
    assert draft["number"] is None
    assert draft["due_date"] == "2026-03-24"  # issue date + 14 days of terms
    assert draft["currency"] == "EUR"
    assert draft["customer_name"] == "Acme GmbH"
    first, second = draft["lines"]
    assert (first["net_amount"], first["tax_amount"], first["total"]) == ("53.97", "10.25", "64.22")
    assert (second["net_amount"], second["tax_amount"], second["total"]) == (
        "150.00",
        "10.50",
        "160.50",
    )
    assert (draft["subtotal"], draft["tax_total"], draft["total"]) == ("203.97", "20.75", "224.72")
    assert draft["balance_due"] == "224.72"

    issued = (await client.post(f"{API}/invoices/{draft['id']}/issue", headers=admin)).json()
    assert issued["status"] == "issued"
    assert issued["number"].startswith("INV-2026-")
    assert len(issued["number"]) == len("INV-2026-000001")
    assert issued["is_overdue"] is True  # due in March 2026, today is later
    again = await client.post(f"{API}/invoices/{draft['id']}/issue", headers=admin)
    assert again.status_code == 409
    patch = await client.patch(f"{API}/invoices/{draft['id']}", json={"notes": "x"}, headers=admin)
    assert patch.status_code == 409
    assert patch.json()["code"] == "invoice_not_draft"

    pay = f"{API}/invoices/{draft['id']}/payments"
    too_much = await client.post(pay, json={"amount": "224.73", "method": "card"}, headers=admin)
    assert too_much.status_code == 422
    assert too_much.json()["detail"][0]["field"] == "amount"

    body = {"amount": "100.00", "method": "bank_transfer", "reference": "TX-1"}
    key = {**admin, "Idempotency-Key": "pay-1"}
    paid = await client.post(pay, json=body, headers=key)
    assert paid.status_code == 201
    assert "Idempotent-Replayed" not in paid.headers
    replay = await client.post(pay, json={**body, "amount": 100}, headers=key)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == paid.json()["id"]
    reused = await client.post(pay, json={**body, "amount": "5"}, headers=key)
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"

    invoice = (await client.get(f"{API}/invoices/{draft['id']}", headers=admin)).json()
    assert invoice["status"] == "partially_paid"
    assert (invoice["amount_paid"], invoice["balance_due"]) == ("100.00", "124.72")

    rest = await client.post(pay, json={"amount": "124.72", "method": "cash"}, headers=admin)
    assert rest.status_code == 201
    invoice = (await client.get(f"{API}/invoices/{draft['id']}", headers=admin)).json()
    assert invoice["status"] == "paid"
    assert invoice["balance_due"] == "0.00"
    assert invoice["is_overdue"] is False

    # Crediting the whole second line of a paid invoice refunds it.
    note = await client.post(
        f"{API}/invoices/{draft['id']}/credit-notes",
        json={"reason": "Hours not worked", "lines": [{"line_id": second["id"]}]},
        headers=admin,
    )
    assert note.status_code == 201, note.text
    cn = note.json()
    assert cn["number"].startswith("CN-2026-")
    assert cn["total"] == "160.50"
    assert cn["refund_amount"] == "160.50"
    invoice = (await client.get(f"{API}/invoices/{draft['id']}", headers=admin)).json()
    assert (invoice["credited_total"], invoice["amount_paid"], invoice["balance_due"]) == (
        "160.50",
        "64.22",
        "0.00",
    )
    assert invoice["payments"][-1]["amount"] == "-160.50"
    assert invoice["payments"][-1]["reference"] == f"refund {cn['number']}"
    over = await client.post(
        f"{API}/invoices/{draft['id']}/credit-notes",
        json={"reason": "again", "lines": [{"line_id": second["id"], "quantity": "0.5"}]},
        headers=admin,
    )
    assert over.status_code == 422

    pdf = await client.get(f"{API}/invoices/{draft['id']}/pdf", headers=admin)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert invoice["number"] in text
    assert cn["number"] in text
    assert "Acme GmbH" in text

    taxes = (await client.get(f"{API}/tax-records?from=2026-01-01", headers=admin)).json()
    by_rate = {item["tax_rate"]: item for item in taxes["items"] if item["currency"] == "EUR"}
    assert by_rate["19.00"]["tax_amount"] == "10.25"
    assert by_rate["7.00"]["tax_amount"] == "0.00"  # 10.50 issued, 10.50 credited

    summary = await client.get(f"{API}/invoices/summary", headers=admin)
    assert summary.status_code == 200, summary.text
    aging = await client.get(f"{API}/invoices/aging", headers=admin)
    assert aging.status_code == 200, aging.text


async def test_void_draft_delete_and_access(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: TokenFactory
) -> None:
    customer = await _customer(client, admin, currency="usd")
    assert customer["currency"] == "USD"
    mine = await _draft(client, admin, customer["id"], employee_id=7)
    other = await _draft(client, admin, customer["id"], employee_id=8)

    employee = tokens.headers("employee", employee_id=7)
    listed = (await client.get(f"{API}/invoices", headers=employee)).json()
    assert {item["id"] for item in listed["items"]} == {mine["id"]}
    assert (await client.get(f"{API}/invoices/{other['id']}", headers=employee)).status_code == 404
    assert (
        await client.get(f"{API}/invoices/{mine['id']}/pdf", headers=employee)
    ).status_code == 200
    assert (await client.get(f"{API}/customers", headers=employee)).status_code == 403
    assert (await client.get(f"{API}/tax-records", headers=employee)).status_code == 403
    assets = tokens.headers("asset_manager", employee_id=3)
    assert (await client.get(f"{API}/invoices", headers=assets)).status_code == 403
    hr = tokens.headers("hr_manager", employee_id=4)
    assert (await client.get(f"{API}/invoices/aging", headers=hr)).status_code == 200
    assert (await client.post(f"{API}/invoices/{mine['id']}/issue", headers=hr)).status_code == 403

    issued = (await client.post(f"{API}/invoices/{mine['id']}/issue", headers=admin)).json()
    voided = await client.post(
        f"{API}/invoices/{mine['id']}/void", json={"reason": "duplicate"}, headers=admin
    )
    assert voided.status_code == 200
    assert voided.json()["status"] == "void"
    assert voided.json()["number"] == issued["number"]
    pay = await client.post(
        f"{API}/invoices/{mine['id']}/payments", json={"amount": 1, "method": "cash"}, headers=admin
    )
    assert pay.status_code == 409
    deleted = await client.delete(f"{API}/invoices/{other['id']}", headers=admin)
    assert deleted.status_code == 204
    blocked = await client.delete(f"{API}/customers/{customer['id']}", headers=admin)
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "customer_has_invoices"


async def test_amount_credit_void_reversal_and_unicode_pdf(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    customer = await _customer(
        client, admin, name="Zoë \u2013 Café ☕ 株式会社", currency="DKK"
    )  # a currency of its own: the tax sums below see only this test's invoices
    draft = await _draft(client, admin, customer["id"], notes="Danke schön ✓")
    pdf = await client.get(f"{API}/invoices/{draft['id']}/pdf", headers=admin)
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "DRAFT" in text
    assert "Zoë - Café" in text

    issued = (await client.post(f"{API}/invoices/{draft['id']}/issue", headers=admin)).json()
    credit = f"{API}/invoices/{draft['id']}/credit-notes"
    no_rate = await client.post(credit, json={"reason": "r", "amount": 10}, headers=admin)
    assert no_rate.status_code == 422  # two tax rates on the invoice: name one
    note = await client.post(
        credit, json={"reason": "goodwill", "amount": "10.70", "tax_rate": 7}, headers=admin
    )
    assert note.status_code == 201, note.text
    assert (note.json()["subtotal"], note.json()["tax_total"]) == ("10.00", "0.70")
    invoice = (await client.get(f"{API}/invoices/{draft['id']}", headers=admin)).json()
    assert invoice["status"] == "issued"
    assert invoice["balance_due"] == "214.02"  # 224.72 - 10.70
    refused = await client.post(
        f"{API}/invoices/{draft['id']}/void", json={"reason": "x"}, headers=admin
    )
    assert refused.status_code == 409

    other = await _draft(client, admin, customer["id"], issue_date="2026-04-02")
    await client.post(f"{API}/invoices/{other['id']}/issue", headers=admin)
    await client.post(f"{API}/invoices/{other['id']}/void", json={"reason": "dup"}, headers=admin)
    april = (
        await client.get(f"{API}/tax-records?from=2026-04-01&to=2026-04-30", headers=admin)
    ).json()
    assert {i["tax_amount"] for i in april["items"] if i["currency"] == "DKK"} == {"10.25", "10.50"}
    everything = (await client.get(f"{API}/tax-records", headers=admin)).json()
    by_rate = {i["tax_rate"]: i for i in everything["items"] if i["currency"] == "DKK"}
    assert by_rate["19.00"]["tax_amount"] == "10.25"  # the voided invoice's tax is reversed
    assert by_rate["7.00"]["tax_amount"] == "9.80"  # 10.50 less the credit note's 0.70
    assert (
        issued["number"]
        < (await client.get(f"{API}/invoices/{other['id']}", headers=admin)).json()["number"]
    )


_LINE = {"description": "a", "quantity": 1, "unit_price": 1}


@pytest.mark.parametrize(
    ("path", "body", "expected", "field"),
    [
        ("/invoices/2147483648", None, 422, "invoice_id"),
        ("/invoices/2147483647", None, 404, None),
        ("/invoices?offset=9223372036854775808", None, 422, "offset"),
        ("/tax-records?from=9999-12-31", None, 422, "from"),
        ("/invoices/summary?from=9999-12-31&to=9999-12-31", None, 422, "from"),
        ("/invoices/aging?as_of=9999-12-31", None, 422, "as_of"),
        ("/invoices/aging?as_of=2200-12-31", None, 200, None),
        ("/invoices?q=a%00b", None, 422, "q"),
        ("/customers", {"name": "a\x00b"}, 422, "name"),
        ("/customers", {"name": "X", "currency": "XXX"}, 422, "currency"),
        (
            "/invoices",
            {"customer_id": 1, "lines": [{**_LINE, "quantity": "1.0001"}]},
            422,
            "lines.0.quantity",
        ),
        (
            "/invoices",
            {"customer_id": 1, "lines": [{**_LINE, "quantity": -1}]},
            422,
            "lines.0.quantity",
        ),
        (
            "/invoices",
            {"customer_id": 1, "lines": [{**_LINE, "tax_rate": 101}]},
            422,
            "lines.0.tax_rate",
        ),
        ("/invoices", {"customer_id": 2147483647, "lines": []}, 422, "customer_id"),
    ],
)
async def test_odd_input_is_never_a_500(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    path: str,
    body: Any,
    expected: int,
    field: str | None,
) -> None:
    if body is None:
        response = await client.get(f"{API}{path}", headers=admin)
    else:
        response = await client.post(f"{API}{path}", json=body, headers=admin)
    assert response.status_code == expected, response.text
    if field is not None:
        assert field in {error["field"] for error in response.json()["detail"]}, response.text


@pytest.fixture
async def committing_app(settings: InvoiceSettings) -> AsyncIterator[Any]:
    """An app on a database of its own whose requests really commit (no rolled-back wrapper),
    so that the rows it leaves cannot disturb the other tests."""
    with temporary_database("tb_invoice_concurrency") as url:
        migrations.upgrade(ALEMBIC_DIR, url)
        application = create_app(settings.model_copy(update={"database_url": url}))
        try:
            yield application
        finally:
            await application.state.database.dispose()


async def test_concurrent_issues_get_consecutive_numbers(
    committing_app: Any, admin: dict[str, str]
) -> None:
    """Ten issues at once get ten consecutive numbers; concurrent payments never exceed the total."""
    async with api_client(committing_app) as client:
        customer = await _customer(client, admin, name="Concurrency Ltd")
        drafts = [
            await _draft(client, admin, customer["id"], issue_date="2031-05-01") for _ in range(10)
        ]
        responses = await asyncio.gather(
            *(client.post(f"{API}/invoices/{d['id']}/issue", headers=admin) for d in drafts)
        )
        numbers = sorted(r.json()["number"] for r in responses)
        assert numbers == [f"INV-2031-{n:06d}" for n in range(1, 11)]

        target = drafts[0]["id"]
        payments = await asyncio.gather(
            *(
                client.post(
                    f"{API}/invoices/{target}/payments",
                    json={"amount": "100.00", "method": "card"},
                    headers=admin,
                )
                for _ in range(5)
            )
        )
        # 224.72 due: two payments of 100 fit, the other three would exceed the total.
        assert sorted(r.status_code for r in payments) == [201, 201, 422, 422, 422]
