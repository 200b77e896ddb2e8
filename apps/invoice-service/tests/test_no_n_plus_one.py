"""No N+1 queries: every list of the service runs as many SQL statements for a page of 50 rows
as for a page of 5 (invoices seeded with several lines, payments and credit notes, so that
totals and balances are worked out for every row)."""

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from invoice_service.db.events import EVENTS
from tb_platform.testing import TokenFactory
from tb_platform.testing.statements import (
    assert_no_n_plus_one,
    page_routes,
    seed_dead_letters,
    threadpool_dependencies,
)

from .conftest import Factory, FakeEmployeeService, line

API = "/api/v1"
ROWS = 55
ME = 77  # the employee the invoices are raised for
CASES = {
    f"{API}/invoices": "invoices",
    f"{API}/invoices/{{invoice_id}}/payments": "payments",
    f"{API}/invoices/{{invoice_id}}/credit-notes": "credit notes",
    f"{API}/customers": "customers",
    f"{API}/audit": "audit",
    f"{API}/events/dead": "dead letters",
}


def test_every_list_of_the_service_has_a_case(app: FastAPI) -> None:
    assert sorted(CASES) == page_routes(app)


def test_no_endpoint_or_dependency_waits_for_the_thread_pool(app: FastAPI) -> None:
    assert threadpool_dependencies(app) == []


async def test_no_list_runs_a_query_per_row(
    app: FastAPI,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    make: Factory,
    admin: dict[str, str],
    tokens: TokenFactory,
    employee_service: FakeEmployeeService,
) -> None:
    lines = [
        line("2", "100.00"),
        line("1", "55.50", discount_percent="10"),
        line("3", "9.99", tax_rate="7"),
    ]
    for _ in range(ROWS):
        customer = await make.customer()
        invoice = await make.issued(customer, lines=lines, employee_id=ME)
        await make.pay(invoice["id"], "10.00")
        await make.pay(invoice["id"], "5.00")
    busy = await make.issued(lines=[line(str(ROWS * 2), "100.00")], employee_id=ME)
    for _ in range(ROWS):
        await make.pay(busy["id"], "1.00")
    full = await make.get(busy["id"])
    for _ in range(ROWS):
        await make.credit(busy["id"], lines=[{"line_id": full["lines"][0]["id"], "quantity": "1"}])
    await seed_dead_letters(connection, EVENTS, ROWS)

    me = tokens.headers("employee", employee_id=ME)
    lists: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
        (f"{API}/invoices", f"{API}/invoices", admin, {}),
        (
            f"{API}/invoices/{{invoice_id}}/payments",
            f"{API}/invoices/{busy['id']}/payments",
            admin,
            {},
        ),
        (
            f"{API}/invoices/{{invoice_id}}/credit-notes",
            f"{API}/invoices/{busy['id']}/credit-notes",
            admin,
            {},
        ),
        (f"{API}/customers", f"{API}/customers", admin, {}),
        (f"{API}/audit", f"{API}/audit", admin, {}),
        (f"{API}/events/dead", f"{API}/events/dead", admin, {}),
        # OWN scope: an employee sees the invoices raised for them.
        (f"{API}/invoices", f"{API}/invoices", me, {}),
    ]
    assert {route for route, *_ in lists} == set(CASES)
    counts = {}
    for route, url, headers, params in lists:
        who = "employee" if headers is me else "admin"
        counts[f"{CASES[route]} ({who})"] = await assert_no_n_plus_one(
            client, app, url, headers=headers, params=params
        )
    print("statements per page:", counts)
