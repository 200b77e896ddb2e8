"""An event counts once however often it comes, and an older event never rolls a row back."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from dashboard_service.models import Asset, Invoice
from dashboard_service.services.read_model import table_of
from tb_platform.events.catalog import (
    AssetCreated,
    AssetDisposed,
    AssetUpdated,
    EmployeeCreated,
    EmployeeDeleted,
    EmployeeUpdated,
    InvoiceIssued,
    InvoicePaid,
    PaymentRecorded,
)

from .conftest import (
    Feed,
    asset,
    at,
    employee,
    event,
    headcount_of,
    invoice,
    month_of,
    summary,
    totals_of,
    without_time,
)


async def test_the_same_event_three_times_has_one_effect(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    hired = event(EmployeeCreated(**employee(1, department=(10, "Engineering"))), time=at(1))
    payment = event(
        PaymentRecorded(
            **invoice(1, total="100.00", paid="40.00"),
            payment_id=7,
            payment_amount="40.00",
            paid_at="2026-03-12T10:00:00Z",
        ),
        time=at(2),
    )
    assert await feed.apply(hired, hired, hired) == [True, False, False]
    assert await feed.apply(payment, payment, payment) == [True, False, False]

    figures = await summary(client, admin)
    assert figures["headcount"]["total"] == 1
    march = month_of(figures, "2026-03", "EUR")
    assert (march["invoiced"], march["collected"], march["outstanding"]) == (
        "100.00",
        "40.00",
        "60.00",
    )


async def test_the_same_change_under_new_event_ids_still_counts_once(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    """A producer that publishes a change again (new envelope ids, e.g. after restoring its
    outbox) gets past the inbox; the per-aggregate rows still count it once."""
    for _ in range(3):
        await feed.apply(
            event(EmployeeCreated(**employee(1)), time=at(1)),
            event(AssetCreated(**asset(1, cost="500.00")), time=at(1)),
            event(
                PaymentRecorded(
                    **invoice(1, total="100.00", paid="40.00"),
                    payment_id=7,
                    payment_amount="40.00",
                    paid_at="2026-03-12T10:00:00Z",
                ),
                time=at(2),
            ),
        )
    figures = await summary(client, admin)
    assert figures["headcount"]["total"] == 1
    assert figures["assets"]["count"] == 1
    assert totals_of(figures, "EUR")["cost"] == "500.00"
    assert month_of(figures, "2026-03", "EUR")["collected"] == "40.00"


async def test_an_older_event_after_a_newer_one_does_not_roll_the_state_back(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    await feed.apply(
        event(EmployeeDeleted(**employee(1, status="terminated")), time=at(5)),
        event(
            AssetDisposed(**asset(1, status="disposed", cost="900.00", book_value="0.00")),
            time=at(5),
        ),
        event(InvoicePaid(**invoice(1, total="100.00", paid="100.00")), time=at(5)),
        event(EmployeeUpdated(**employee(2, department=(10, "R&D"))), time=at(5)),
    )
    settled = await summary(client, admin)

    # The same aggregates' earlier events, delivered late (a replayed dead letter, say).
    await feed.apply(
        event(EmployeeCreated(**employee(1)), time=at(1)),
        event(AssetCreated(**asset(1, cost="900.00")), time=at(1)),
        event(AssetUpdated(**asset(1, status="in_stock", cost="900.00")), time=at(2)),
        event(InvoiceIssued(**invoice(1, total="100.00")), time=at(1)),
        event(EmployeeCreated(**employee(2, department=(10, "Engineering"))), time=at(1)),
    )
    figures = await summary(client, admin)
    assert without_time(figures) == without_time(settled)
    assert figures["headcount"]["total"] == 1
    assert headcount_of(figures) == {10: ("R&D", 1)}  # the older name does not come back
    assert figures["assets"]["by_status"]["disposed"] == 1
    assert figures["assets"]["totals"] == []
    assert month_of(figures, "2026-03", "EUR")["outstanding"] == "0.00"


async def test_events_at_the_same_instant_apply_in_the_order_they_arrive(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed, connection: AsyncConnection
) -> None:
    """One operation may publish several events of an aggregate with one time; they arrive
    in the order written, and the last one's figures stand."""
    await feed.apply(
        event(InvoiceIssued(**invoice(1, total="100.00")), time=at(1)),
        event(
            PaymentRecorded(
                **invoice(1, total="100.00", paid="100.00"),
                payment_id=1,
                payment_amount="100.00",
                paid_at="2026-03-12T10:00:00Z",
            ),
            time=at(2),
        ),
        event(InvoicePaid(**invoice(1, total="100.00", paid="100.00", status="paid")), time=at(2)),
    )
    table = table_of(Invoice)
    row = (await connection.execute(select(table).where(table.c.id == 1))).one()
    assert (row.status, row.balance_due, row.as_of) == ("paid", 0, at(2))
    assert month_of(await summary(client, admin), "2026-03", "EUR")["collected"] == "100.00"


async def test_a_burst_applied_as_one_batch_leaves_what_one_by_one_leaves(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed, connection: AsyncConnection
) -> None:
    """Under a burst the worker applies a read's events in one transaction, the asset events in
    one statement: an aggregate's events in that batch (in any order of their times) leave the
    newest, the last of those at one instant, as applying them one by one does."""
    burst = [event(AssetCreated(**asset(n, cost="100.00")), time=at(1)) for n in range(1, 41)] + [
        event(AssetUpdated(**asset(3, status="in_stock", cost="300.00")), time=at(3)),
        event(AssetUpdated(**asset(3, status="retired", cost="310.00")), time=at(3)),
        event(AssetUpdated(**asset(3, status="in_stock", cost="999.00")), time=at(2)),  # late
        event(AssetDisposed(**asset(5, status="disposed", book_value="0.00")), time=at(4)),
        event(EmployeeCreated(**employee(1, department=(10, "Engineering"))), time=at(1)),
    ]
    await feed.apply_together(*burst)
    table = table_of(Asset)
    rows = {
        row.id: row
        for row in await connection.execute(select(table).where(table.c.id.in_([3, 5, 7])))
    }
    assert (rows[3].status, rows[3].purchase_cost, rows[3].as_of) == ("retired", 310, at(3))
    assert rows[5].status == "disposed"
    assert (rows[7].status, rows[7].purchase_cost) == ("in_stock", 100)
    figures = await summary(client, admin)
    assert figures["assets"]["count"] == 40
    assert figures["headcount"]["total"] == 1

    # The same burst again, one by one: nothing changes.
    assert await feed.apply(*burst) == [False] * len(burst)
    assert without_time(await summary(client, admin)) == without_time(figures)
