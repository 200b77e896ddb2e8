"""No N+1 queries: every list of the service runs as many SQL statements for a page of 50 rows
as for a page of 5 (assets seeded with categories, assignments and maintenance, so that book
values, holders and due dates are worked out for every row)."""

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from asset_service.db.events import EVENTS
from tb_platform.testing import TokenFactory
from tb_platform.testing.statements import (
    assert_no_n_plus_one,
    page_routes,
    seed_dead_letters,
    threadpool_dependencies,
)

from .conftest import API, Factory, Staff

ROWS = 55
CASES = {
    f"{API}/assets": "assets",
    f"{API}/assets/{{asset_id}}/history": "assignment history",
    f"{API}/assets/{{asset_id}}/maintenance": "maintenance logs",
    f"{API}/maintenance/due": "maintenance due",
    f"{API}/categories": "categories",
    f"{API}/audit": "audit",
    f"{API}/events/dead": "dead letters",
}


def test_every_list_of_the_service_has_a_case(app: FastAPI) -> None:
    assert sorted(CASES) == page_routes(app)


def test_no_endpoint_or_dependency_waits_for_the_thread_pool(app: FastAPI) -> None:
    assert threadpool_dependencies(app) == []


def _log(n: int) -> dict[str, Any]:
    return {
        "kind": "preventive",
        "description": f"Service {n}",
        "started_at": "2025-02-03T09:30:00Z",
        "completed_at": "2025-02-03T11:30:00Z",
        "next_due_date": f"2026-06-{n % 28 + 1:02d}",
    }


async def test_no_list_runs_a_query_per_row(
    app: FastAPI,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    make: Factory,
    manager: dict[str, str],
    admin: dict[str, str],
    tokens: TokenFactory,
    staff: Staff,
) -> None:
    methods = ["straight_line", "declining_balance"]
    assets = [
        await make.asset(
            category=await make.category(default_depreciation_method=methods[n % 2]),
            purchase_cost=f"{1000 + n}.00",
            **({"declining_rate": "20"} if n % 2 else {}),
        )
        for n in range(ROWS)
    ]
    for n, asset in enumerate(assets):
        await make.open_maintenance(asset, **_log(n))
        await make.assign(asset, staff.alice)
    # One asset with a long past: many holders and many maintenance logs.
    busy = await make.asset()
    for n in range(ROWS):
        await make.open_maintenance(busy, **_log(n))
        await make.assign(busy, [staff.bob, staff.carol][n % 2])
        response = await client.post(f"{API}/assets/{busy['id']}/return", headers=manager)
        assert response.status_code == 200, response.text
    await seed_dead_letters(connection, EVENTS, ROWS)

    alice = tokens.headers("employee", employee_id=staff.alice["id"])
    lists: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
        (f"{API}/assets", f"{API}/assets", admin, {}),
        (
            f"{API}/assets/{{asset_id}}/history",
            f"{API}/assets/{busy['id']}/history",
            admin,
            {},
        ),
        (
            f"{API}/assets/{{asset_id}}/maintenance",
            f"{API}/assets/{busy['id']}/maintenance",
            admin,
            {},
        ),
        (f"{API}/maintenance/due", f"{API}/maintenance/due", admin, {"before": "2026-12-31"}),
        (f"{API}/categories", f"{API}/categories", admin, {}),
        (f"{API}/audit", f"{API}/audit", admin, {}),
        (f"{API}/events/dead", f"{API}/events/dead", admin, {}),
        # OWN scope: an employee sees the assets they hold.
        (f"{API}/assets", f"{API}/assets", alice, {}),
    ]
    assert {route for route, *_ in lists} == set(CASES)
    counts = {}
    for route, url, headers, params in lists:
        who = "employee" if headers is alice else "admin"
        counts[f"{CASES[route]} ({who})"] = await assert_no_n_plus_one(
            client, app, url, headers=headers, params=params
        )
    print("statements per page:", counts)
