"""What the asset service publishes (written to its outbox with the change), and what it does
with the employee service's events (its consumer, applied here in the test's transaction)."""

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from asset_service.db.events import EMPLOYEES, EVENTS
from tb_platform.events.catalog import EmployeeDeleted, EmployeeUpdated
from tb_platform.events.envelope import Envelope

from .conftest import API, NOW, Factory, Staff, employee_consumer, today

ASSETS = f"{API}/assets"
TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


async def published(connection: AsyncConnection) -> list[Envelope]:
    """The asset service's outbox, in the order written."""
    outbox = EVENTS.outbox
    payloads = (await connection.scalars(select(outbox.c.payload).order_by(outbox.c.id))).all()
    return [Envelope.model_validate(payload) for payload in payloads]


def _employee_event(
    model: Any, employee: dict[str, Any], *, at: dt.datetime, **data: Any
) -> Envelope:
    fields = {
        "id": employee["id"],
        "first_name": employee["first_name"],
        "last_name": employee["last_name"],
        "email": employee["email"],
        "status": "terminated",
        **data,
    }
    return Envelope.create(
        source="employee-service", data=model(**fields), time=at, traceparent=TRACE
    )


def _soon() -> dt.datetime:
    # Newer than anything the employee service told the projection (its updated_at).
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


async def test_every_change_publishes_the_asset_as_it_is_afterwards(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    staff: Staff,
    connection: AsyncConnection,
) -> None:
    laptops = await make.category(name="Laptops", code="LAP")
    asset = await make.asset(laptops, purchase_date="2026-01-10", purchase_cost="1200.00")
    path = f"{ASSETS}/{asset['id']}"
    moved = await client.patch(path, json={"location": "Shelf 2"}, headers=manager)
    assert moved.status_code == 200
    for status in ("retired", "in_stock"):
        changed = await client.patch(path, json={"status": status}, headers=manager)
        assert changed.status_code == 200
    assigned = await make.assign(asset, staff.alice)
    returned = await client.post(f"{path}/return", json={"reason": "broken hinge"}, headers=manager)
    assert returned.status_code == 200
    log = await make.open_maintenance(asset)
    completed = await client.post(f"{path}/maintenance/{log['id']}/complete", headers=manager)
    assert completed.status_code == 200
    disposed = await make.dispose(asset, date=today().isoformat(), proceeds="300.00")

    events = await published(connection)

    assert [e.type for e in events] == [
        "asset.created",
        "asset.updated",
        "asset.updated",
        "asset.updated",
        "asset.assigned",
        "asset.returned",
        "asset.updated",
        "asset.updated",
        "asset.disposed",
    ]
    assert {(e.source, e.subject, e.time) for e in events} == {
        ("asset-service", str(asset["id"]), NOW)
    }
    data = [e.data for e in events]
    assert [d["status"] for d in data] == [
        "in_stock",
        "in_stock",
        "retired",
        "in_stock",
        "assigned",
        "in_stock",
        "in_maintenance",
        "in_stock",
        "disposed",
    ]
    created = data[0]
    assert (created["tag"], created["name"], created["currency"]) == (
        asset["asset_tag"],
        asset["name"],
        "EUR",
    )
    assert (created["category_id"], created["category_name"]) == (laptops["id"], "Laptops")
    # Money as decimal strings; the book value as of the unit's business date.
    assert created["purchase_cost"] == "1200.00"
    assert Decimal(created["book_value"]) == Decimal(asset["book_value"])
    assert data[1]["purchase_cost"] == "1200.00"
    assert data[4]["assigned_employee_id"] == staff.alice["id"] == assigned["assigned_employee_id"]
    assert (data[5]["assigned_employee_id"], data[5]["reason"]) == (None, "broken hinge")
    assert Decimal(data[8]["book_value"]) == Decimal(disposed["book_value"])
    history = (await client.get(f"{path}/history", headers=manager)).json()["items"]
    assert history[0]["return_reason"] == "broken hinge"


async def test_a_change_that_is_refused_publishes_nothing(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    staff: Staff,
    connection: AsyncConnection,
) -> None:
    asset = await make.asset()
    before = len(await published(connection))
    path = f"{ASSETS}/{asset['id']}"
    assert (await client.post(f"{path}/return", headers=manager)).status_code == 409
    gone = await client.post(
        f"{path}/assign", json={"employee_id": staff.gone["id"]}, headers=manager
    )
    assert gone.status_code == 422
    assert len(await published(connection)) == before


async def test_a_terminated_employee_gives_back_everything_and_the_history_says_why(
    app: FastAPI,
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    staff: Staff,
    connection: AsyncConnection,
) -> None:
    category = await make.category()
    laptop = await make.assign(await make.asset(category, name="Laptop"), staff.carol)
    phone = await make.assign(await make.asset(category, name="Phone"), staff.carol)
    await make.open_maintenance(phone)  # in repair: keeps the status, loses the holder
    other = await make.assign(await make.asset(category, name="Van"), staff.bob)
    already = len(await published(connection))
    termination = _employee_event(EmployeeDeleted, staff.carol, at=_soon())

    consumer = employee_consumer(app.state.database)
    applied = [await consumer.apply(termination) for _ in range(3)]

    assert applied == [True, False, False]  # the same event three times: one effect
    laptop_now, phone_now, other_now = [await make.get(a) for a in (laptop, phone, other)]
    assert (laptop_now["status"], laptop_now["assigned_employee_id"]) == ("in_stock", None)
    assert (phone_now["status"], phone_now["assigned_employee_id"]) == ("in_maintenance", None)
    assert (other_now["status"], other_now["assigned_employee_id"]) == ("assigned", staff.bob["id"])
    for asset in (laptop, phone):
        [row] = (await client.get(f"{ASSETS}/{asset['id']}/history", headers=manager)).json()[
            "items"
        ]
        assert row["returned_at"] is not None
        assert row["return_reason"] == "employee terminated"
        assert row["returned_by"] == "system:asset-service.employees"
    returns = (await published(connection))[already:]
    assert [(e.type, e.subject, e.data["reason"]) for e in returns] == [
        ("asset.returned", str(laptop["id"]), "employee terminated"),
        ("asset.returned", str(phone["id"]), "employee terminated"),
    ]
    # The returns carry the trace of the termination that caused them.
    assert {e.traceparent for e in returns} == {TRACE}
    # The repair done, the phone goes to stock, not back to Carol.
    [log] = (await client.get(f"{ASSETS}/{phone['id']}/maintenance", headers=manager)).json()[
        "items"
    ]
    done = await client.post(
        f"{ASSETS}/{phone['id']}/maintenance/{log['id']}/complete", headers=manager
    )
    assert done.status_code == 200
    assert (await make.get(phone))["status"] == "in_stock"
    projected = (
        await connection.execute(select(EMPLOYEES).where(EMPLOYEES.c.id == staff.carol["id"]))
    ).one()
    assert projected.status == "terminated"


async def test_a_termination_by_update_counts_and_a_stale_one_does_not(
    app: FastAPI,
    make: Factory,
    staff: Staff,
) -> None:
    held = await make.assign(await make.asset(), staff.alice)
    consumer = employee_consumer(app.state.database)
    stale = _employee_event(EmployeeDeleted, staff.alice, at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    await consumer.apply(stale)  # older than what the projection knows: changes nothing
    assert (await make.get(held))["assigned_employee_id"] == staff.alice["id"]

    on_leave = _employee_event(EmployeeUpdated, staff.alice, at=_soon(), status="on_leave")
    await consumer.apply(on_leave)
    assert (await make.get(held))["assigned_employee_id"] == staff.alice["id"]

    terminated = _employee_event(
        EmployeeUpdated, staff.alice, at=_soon() + dt.timedelta(seconds=1), status="terminated"
    )
    await consumer.apply(terminated)
    after = await make.get(held)
    assert (after["status"], after["assigned_employee_id"]) == ("in_stock", None)


async def test_an_employee_hired_a_moment_ago_is_assignable_at_once(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    employee_service: Any,
    connection: AsyncConnection,
) -> None:
    newcomer = employee_service.hire(first_name="Just", last_name="Hired")
    known = select(EMPLOYEES.c.status).where(EMPLOYEES.c.id == newcomer["id"])
    assert (await connection.scalars(known)).all() == []  # no event has arrived yet

    assigned = await make.assign(await make.asset(), newcomer)

    assert assigned["assigned_employee_id"] == newcomer["id"]
    # The employee service's answer is kept: the next check needs no call.
    assert (await connection.scalars(known)).all() == ["active"]


async def test_dead_letters_are_listed_for_an_admin_only(
    client: httpx.AsyncClient, admin: dict[str, str], manager: dict[str, str]
) -> None:
    listed = await client.get(f"{API}/events/dead", headers=admin)
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []
    assert (await client.get(f"{API}/events/dead", headers=manager)).status_code == 403
