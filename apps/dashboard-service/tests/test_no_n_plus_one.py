"""No N+1 queries: every list of the service runs as many SQL statements for a page of 50 rows
as for a page of 5 (audit rows and dead letters: the service's only lists)."""

import httpx
from fastapi import FastAPI
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from dashboard_service.db.events import AUDIT, EVENTS
from tb_platform.testing.statements import (
    assert_no_n_plus_one,
    page_routes,
    seed_dead_letters,
    threadpool_dependencies,
)

from .conftest import at

API = "/api/v1"
ROWS = 55
CASES = {
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
    admin: dict[str, str],
) -> None:
    await seed_dead_letters(connection, EVENTS, ROWS)
    # The projections are not audited; the list only reads, so plain rows stand in for a chain.
    await connection.execute(
        insert(AUDIT),
        [
            {
                "occurred_at": at(n % 60),
                "actor_sub": "tests",
                "actor_roles": ["admin"],
                "entity": "headcount",
                "entity_id": str(n),
                "action": "update",
                "after": {"count": n},
                "prev_hash": "0" * 64,
                "hash": f"{n:064d}",
            }
            for n in range(ROWS)
        ],
    )

    counts = {
        name: await assert_no_n_plus_one(client, app, url, headers=admin)
        for url, name in CASES.items()
    }
    print("statements per page:", counts)
