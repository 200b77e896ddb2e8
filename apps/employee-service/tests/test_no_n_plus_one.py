"""No N+1 queries: every list of the service runs as many SQL statements for a page of 50 rows
as for a page of 5 (rows seeded with their departments, managers and roles)."""

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from employee_service.db.events import EVENTS
from tb_platform.testing import TokenFactory
from tb_platform.testing.statements import (
    assert_no_n_plus_one,
    page_routes,
    seed_dead_letters,
    threadpool_dependencies,
)

from .conftest import Factory

API = "/api/v1"
ROWS = 55
# Every list the service answers with a page: a new one without a case here fails the test.
CASES = {
    f"{API}/employees": "employees",
    f"{API}/departments": "departments",
    f"{API}/departments/{{department_id}}/employees": "department employees",
    f"{API}/attendance": "attendance",
    f"{API}/saved-views": "saved views",
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
) -> None:
    managers = [await make.employee(roles=["hr_manager", "employee"]) for _ in range(3)]
    departments = [await make.department(manager_id=managers[n % 3]["id"]) for n in range(ROWS)]
    home = departments[0]
    people = [
        await make.employee(
            department_id=home["id"],
            manager_id=managers[n % 3]["id"],
            roles=["employee", "accountant"] if n % 2 else ["employee"],
        )
        for n in range(ROWS)
    ]
    me = people[0]
    for day in range(1, ROWS + 1):
        response = await client.put(
            f"{API}/attendance/{me['id']}/2025-{(day - 1) // 28 + 1:02d}-{(day - 1) % 28 + 1:02d}",
            json={"status": "leave" if day % 3 else "absent"},
            headers=admin,
        )
        assert response.status_code == 200, response.text
    mine = tokens.headers("employee", employee_id=me["id"])
    for n in range(ROWS):
        response = await client.post(
            f"{API}/saved-views",
            json={"resource": "assets", "name": f"View {n:03d}", "filters": {"status": "x"}},
            headers=mine,
        )
        assert response.status_code == 201, response.text
    await seed_dead_letters(connection, EVENTS, ROWS)

    lists: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
        (f"{API}/employees", f"{API}/employees", admin, {}),
        (f"{API}/departments", f"{API}/departments", admin, {}),
        (
            f"{API}/departments/{{department_id}}/employees",
            f"{API}/departments/{home['id']}/employees",
            admin,
            {},
        ),
        (f"{API}/attendance", f"{API}/attendance", admin, {"employee_id": me["id"]}),
        (f"{API}/saved-views", f"{API}/saved-views", mine, {}),
        (f"{API}/audit", f"{API}/audit", admin, {}),
        (f"{API}/events/dead", f"{API}/events/dead", admin, {}),
        # OWN scope: an employee sees their own attendance only.
        (f"{API}/attendance", f"{API}/attendance", mine, {}),
    ]
    assert {route for route, *_ in lists} == set(CASES)
    counts = {}
    for route, url, headers, params in lists:
        who = "employee" if headers is mine else "admin"
        counts[f"{CASES[route]} ({who})"] = await assert_no_n_plus_one(
            client, app, url, headers=headers, params=params
        )
    print("statements per page:", counts)
