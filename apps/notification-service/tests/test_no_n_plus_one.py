"""No N+1 queries: every list of the service runs as many SQL statements for a page of 50 rows
as for a page of 5 (notifications recorded by the service's own consumer, with their audit)."""

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from notification_service.db.events import EVENTS
from notification_service.worker import RECEIPTS_CONSUMER, WORKER
from tb_platform.events.consumer import Consumer
from tb_platform.testing.statements import (
    assert_no_n_plus_one,
    page_routes,
    seed_dead_letters,
    threadpool_dependencies,
)

from .conftest import InvoiceStandIn, new_invoice_id, number_of, paid_event

API = "/api/v1"
ROWS = 55
CASES = {
    f"{API}/notifications": "notifications",
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
    invoice_service: InvoiceStandIn,
) -> None:
    # The worker's consumer, handed the events directly, in the test's transaction.
    consumer = Consumer(
        RECEIPTS_CONSUMER,
        None,  # type: ignore[arg-type]  # never subscribes nor publishes
        app.state.database,
        WORKER.consumers[RECEIPTS_CONSUMER],
        tables=WORKER.tables,
    )
    for _ in range(ROWS):
        invoice_id = new_invoice_id()
        invoice_service.numbers[invoice_id] = number_of(invoice_id)
        assert await consumer.apply(paid_event(invoice_id))
    await seed_dead_letters(connection, EVENTS, ROWS)

    counts: dict[str, int] = {}
    params: dict[str, Any] = {}
    for url, name in CASES.items():
        counts[name] = await assert_no_n_plus_one(client, app, url, headers=admin, params=params)
    print("statements per page:", counts)
