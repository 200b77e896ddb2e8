"""The status machine: draft → issued → partially_paid → paid, draft/issued → void; nothing else."""

from typing import Any

import httpx
import pytest

from .conftest import INVOICES, Factory, line, money


async def _in_status(make: Factory, status: str) -> dict[str, Any]:
    """An invoice of total 100.00 in ``status``."""
    if status == "draft":
        return await make.draft()
    invoice = await make.issued()
    if status == "partially_paid":
        await make.pay(invoice["id"], "40.00")
    elif status == "paid":
        await make.pay(invoice["id"], "100.00")
    elif status == "void":
        await make.void(invoice["id"])
    current = await make.get(invoice["id"])
    assert current["status"] == status
    return current


async def _unchanged(make: Factory, before: dict[str, Any]) -> None:
    after = await make.get(before["id"])
    for field in ("status", "number", "total", "amount_paid", "credited_total", "balance_due"):
        assert after[field] == before[field], field
    assert len(after["payments"]) == len(before["payments"])
    assert len(after["credit_notes"]) == len(before["credit_notes"])


async def test_a_draft_is_issued_and_an_issued_invoice_is_voided(
    client: httpx.AsyncClient, accountant: dict[str, str], make: Factory
) -> None:
    draft = await make.draft()
    issued = await make.issue(draft["id"])
    assert issued["status"] == "issued"
    voided = await client.post(
        f"{INVOICES}/{issued['id']}/void", json={"reason": "Duplicate"}, headers=accountant
    )
    assert voided.status_code == 200, voided.text
    body = voided.json()
    assert body["status"] == "void"
    assert body["void_reason"] == "Duplicate"
    assert body["voided_at"]
    assert body["number"] == issued["number"]  # a voided invoice keeps its number


async def test_a_draft_may_be_voided(make: Factory) -> None:
    draft = await make.draft()
    voided = await make.void(draft["id"])
    assert voided["status"] == "void"
    assert voided["number"] is None


@pytest.mark.parametrize("status", ["issued", "partially_paid", "paid", "void"])
async def test_only_a_draft_can_be_issued(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, status: str
) -> None:
    invoice = await _in_status(make, status)
    response = await client.post(f"{INVOICES}/{invoice['id']}/issue", headers=admin)
    assert response.status_code == 409, response.text
    await _unchanged(make, invoice)


async def test_a_draft_without_lines_cannot_be_issued(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    empty = await make.draft(lines=[])
    assert empty["lines"] == []
    assert empty["total"] == "0.00"
    response = await client.post(f"{INVOICES}/{empty['id']}/issue", headers=admin)
    assert response.status_code == 409, response.text
    assert (await make.get(empty["id"]))["status"] == "draft"
    assert (await make.get(empty["id"]))["number"] is None


@pytest.mark.parametrize("status", ["partially_paid", "paid", "void"])
async def test_an_accountant_cannot_void_a_paid_partly_paid_or_void_invoice(
    client: httpx.AsyncClient, accountant: dict[str, str], make: Factory, status: str
) -> None:
    invoice = await _in_status(make, status)
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/void", json={"reason": "try"}, headers=accountant
    )
    assert response.status_code == 409, response.text
    await _unchanged(make, invoice)


async def test_an_invoice_with_a_credit_note_cannot_be_voided(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    await make.credit(invoice["id"], amount="10.00", tax_rate="0")
    before = await make.get(invoice["id"])
    assert before["status"] == "issued"
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/void", json={"reason": "try"}, headers=admin
    )
    assert response.status_code == 409, response.text
    await _unchanged(make, before)


@pytest.mark.parametrize("status", ["issued", "partially_paid", "paid", "void"])
async def test_only_a_draft_can_be_edited_or_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, status: str
) -> None:
    invoice = await _in_status(make, status)
    edit = await client.patch(
        f"{INVOICES}/{invoice['id']}", json={"notes": "sneaky"}, headers=admin
    )
    assert edit.status_code == 409, edit.text
    assert edit.json()["code"] == "invoice_not_draft"
    relines = await client.patch(
        f"{INVOICES}/{invoice['id']}", json={"lines": [line("1", "1.00")]}, headers=admin
    )
    assert relines.status_code == 409, relines.text
    delete = await client.delete(f"{INVOICES}/{invoice['id']}", headers=admin)
    assert delete.status_code == 409, delete.text
    await _unchanged(make, invoice)
    assert (await make.get(invoice["id"]))["notes"] == invoice["notes"]


@pytest.mark.parametrize("status", ["draft", "void"])
async def test_a_draft_or_void_invoice_cannot_be_paid(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, status: str
) -> None:
    invoice = await _in_status(make, status)
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "10.00", "method": "cash"},
        headers=admin,
    )
    assert response.status_code == 409, response.text
    await _unchanged(make, invoice)


async def test_a_paid_invoice_takes_no_further_payment(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await _in_status(make, "paid")
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "0.01", "method": "cash"},
        headers=admin,
    )
    assert response.status_code in (409, 422), response.text
    await _unchanged(make, invoice)


@pytest.mark.parametrize("status", ["draft", "void"])
async def test_a_draft_or_void_invoice_cannot_be_credited(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, status: str
) -> None:
    invoice = await _in_status(make, status)
    by_amount = await client.post(
        f"{INVOICES}/{invoice['id']}/credit-notes",
        json={"reason": "r", "amount": "10.00", "tax_rate": "0"},
        headers=admin,
    )
    assert by_amount.status_code == 409, by_amount.text
    by_line = await client.post(
        f"{INVOICES}/{invoice['id']}/credit-notes",
        json={"reason": "r", "lines": [{"line_id": invoice["lines"][0]["id"]}]},
        headers=admin,
    )
    assert by_line.status_code == 409, by_line.text
    await _unchanged(make, invoice)


async def test_payments_move_the_invoice_through_partially_paid_to_paid(make: Factory) -> None:
    invoice = await make.issued(lines=[line("2", "60.00", tax_rate="10")])
    total = money(invoice["total"])
    await make.pay(invoice["id"], "50.00")
    partly = await make.get(invoice["id"])
    assert partly["status"] == "partially_paid"
    assert money(partly["balance_due"]) == total - 50
    await make.pay(invoice["id"], str(total - 50))
    paid = await make.get(invoice["id"])
    assert paid["status"] == "paid"
    assert paid["balance_due"] == "0.00"
    assert money(paid["amount_paid"]) == total


async def test_unknown_invoice_actions_are_404(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    missing = 2_147_483_647
    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"notes": "x"}),
        ("DELETE", "", None),
        ("POST", "/issue", None),
        ("POST", "/void", {"reason": "x"}),
        ("GET", "/payments", None),
        ("POST", "/payments", {"amount": "1.00", "method": "cash"}),
        ("GET", "/credit-notes", None),
        ("POST", "/credit-notes", {"reason": "x", "amount": "1.00", "tax_rate": "0"}),
        ("GET", "/pdf", None),
    ]:
        response = await client.request(
            method, f"{INVOICES}/{missing}{suffix}", json=body, headers=admin
        )
        assert response.status_code == 404, (method, suffix, response.text)
