"""The RBAC matrix generated from the permission tables: every route by every role, each answer the
one the table gives (2xx, 403, or for an employee their own invoices and 404 for anyone else's),
and 401 without a token. A route added without a rule or without a probe here fails it."""

from typing import Any

from fastapi import FastAPI

from invoice_service.core.permissions import POLICY
from invoice_service.worker import WORKER
from tb_platform.testing import TokenFactory
from tb_platform.testing.rbac import Call, Cell, Probe, Target, platform_probes, run_matrix

from .conftest import Factory, line

# Employee ids the fake employee service knows as current: the caller's and someone else's.
ME, SOMEONE_ELSE = 7101, 7102


def _make(cell: Cell) -> Factory:
    return Factory(cell.client, cell.admin)


async def _draft(cell: Cell, **fields: Any) -> int:
    return int((await _make(cell).draft(employee_id=cell.owner, **fields))["id"])


async def _issued(cell: Cell) -> int:
    return int((await _make(cell).issued(employee_id=cell.owner))["id"])


# ---- the probes: per route, the rows it needs and how to call it -------------------------------


async def plain(cell: Cell) -> Call:
    return Call()


async def customers(cell: Cell) -> Call:
    await _make(cell).customer()
    return Call()


async def create_customer(cell: Cell) -> Call:
    return Call(json={"name": "New Customer"})


async def customer(cell: Cell) -> Call:
    return Call(path={"customer_id": (await _make(cell).customer())["id"]})


async def rename_customer(cell: Cell) -> Call:
    found = await _make(cell).customer()
    return Call(path={"customer_id": found["id"]}, json={"name": "Renamed"})


async def list_invoices(cell: Cell) -> Call | None:
    if cell.target is Target.OTHER:
        return None  # a filter on someone else narrows the caller's own list; nothing to hide
    make = _make(cell)
    buyer = await make.customer()
    await make.draft(buyer, employee_id=cell.me)
    await make.issued(buyer, employee_id=cell.other)
    return Call(query={"customer_id": buyer["id"]}, owner="employee_id")


async def create_invoice(cell: Cell) -> Call:
    buyer = await _make(cell).customer()
    return Call(json={"customer_id": buyer["id"], "lines": [line()], "employee_id": cell.owner})


async def preview(cell: Cell) -> Call:
    return Call(json={"currency": "EUR", "lines": [line()]})


async def bulk_issue(cell: Cell) -> Call:
    return Call(json={"action": "issue", "ids": [await _draft(cell)]})


async def issued(cell: Cell) -> Call:
    return Call(path={"invoice_id": await _issued(cell)})


async def draft(cell: Cell) -> Call:
    return Call(path={"invoice_id": await _draft(cell)})


async def update_draft(cell: Cell) -> Call:
    return Call(path={"invoice_id": await _draft(cell)}, json={"notes": "changed"})


async def void(cell: Cell) -> Call:
    return Call(path={"invoice_id": await _issued(cell)}, json={"reason": "Raised by mistake"})


async def pay(cell: Cell) -> Call:
    body = {"amount": "10.00", "method": "cash"}
    return Call(path={"invoice_id": await _issued(cell)}, json=body)


async def credit(cell: Cell) -> Call:
    body = {"reason": "Discount", "amount": "10.00", "tax_rate": "0"}
    return Call(path={"invoice_id": await _issued(cell)}, json=body)


PROBES: dict[str, Probe] = {
    **platform_probes(worker=WORKER),
    "GET /api/v1/tax-records": plain,
    "GET /api/v1/invoices/summary": plain,
    "GET /api/v1/invoices/aging": plain,
    "GET /api/v1/customers": customers,
    "POST /api/v1/customers": create_customer,
    "GET /api/v1/customers/{customer_id}": customer,
    "PATCH /api/v1/customers/{customer_id}": rename_customer,
    "DELETE /api/v1/customers/{customer_id}": customer,
    "GET /api/v1/invoices": list_invoices,
    "POST /api/v1/invoices": create_invoice,
    "POST /api/v1/invoices/preview": preview,
    "POST /api/v1/invoices/bulk": bulk_issue,
    "GET /api/v1/invoices/{invoice_id}": issued,
    "PATCH /api/v1/invoices/{invoice_id}": update_draft,
    "DELETE /api/v1/invoices/{invoice_id}": draft,
    "POST /api/v1/invoices/{invoice_id}/issue": draft,
    "POST /api/v1/invoices/{invoice_id}/void": void,
    "GET /api/v1/invoices/{invoice_id}/pdf": issued,
    "GET /api/v1/invoices/{invoice_id}/payments": issued,
    "POST /api/v1/invoices/{invoice_id}/payments": pay,
    "GET /api/v1/invoices/{invoice_id}/credit-notes": issued,
    "POST /api/v1/invoices/{invoice_id}/credit-notes": credit,
}


async def test_every_route_answers_every_role_as_the_permission_table_says(
    app: FastAPI, tokens: TokenFactory
) -> None:
    result = await run_matrix(
        app, policy=POLICY, tokens=tokens, probes=PROBES, people=(ME, SOMEONE_ELSE)
    )

    print(f"\ninvoice-service RBAC matrix: {result.summary()}")
    assert result.ok, result.report()
    assert result.cells >= 30 * 5
