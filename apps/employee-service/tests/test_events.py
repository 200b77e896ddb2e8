"""Events: every change to an employee leaves its event in the outbox, in the change's own
transaction — or, when the change fails, neither."""

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from employee_service.db.events import EVENTS
from employee_service.models import Employee
from employee_service.services.employees import require_employee, terminate_employee
from tb_platform.testing import TokenFactory
from tb_platform.uow import Actor, FrozenClock, unit_of_work

from .conftest import Factory

API = "/api/v1/employees"
OUTBOX = EVENTS.outbox


async def events_about(connection: AsyncConnection, employee_id: int) -> list[dict[str, Any]]:
    """The envelopes written for one employee, oldest first."""
    rows = await connection.execute(
        select(OUTBOX.c.payload).where(OUTBOX.c.subject == str(employee_id)).order_by(OUTBOX.c.id)
    )
    return [row.payload for row in rows]


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


async def test_terminating_an_employee_writes_one_employee_deleted_event(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory, connection: AsyncConnection
) -> None:
    department = await make.department(name="Field Service")
    person = await make.employee(first_name="Grace", department_id=department["id"])

    assert (await client.delete(f"{API}/{person['id']}", headers=hr)).status_code == 204
    # Terminating again changes nothing, and says nothing.
    assert (await client.delete(f"{API}/{person['id']}", headers=hr)).status_code == 204

    events = await events_about(connection, person["id"])
    assert types(events) == ["employee.created", "employee.deleted"]
    deleted = events[1]
    assert deleted["source"] == "employee-service"
    assert deleted["data"] == {
        "id": person["id"],
        "first_name": "Grace",
        "last_name": person["last_name"],
        "email": person["email"],
        "status": "terminated",
        "department_id": department["id"],
        "department_name": "Field Service",
    }
    # In the transaction that terminated them: the row says so too.
    status = await connection.scalar(select(Employee.status).where(Employee.id == person["id"]))
    assert status == "terminated"


async def test_terminating_through_a_status_change_is_the_same_single_event(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory, connection: AsyncConnection
) -> None:
    person = await make.employee()

    changed = await client.patch(
        f"{API}/{person['id']}", json={"status": "terminated", "job_title": "Former"}, headers=hr
    )

    assert changed.status_code == 200, changed.text
    events = await events_about(connection, person["id"])
    assert types(events) == ["employee.created", "employee.deleted"]
    assert events[1]["data"]["status"] == "terminated"


async def test_a_refused_termination_writes_no_event(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, connection: AsyncConnection
) -> None:
    person = await make.employee()
    themselves = tokens.headers("hr_manager", employee_id=person["id"])

    refused = await client.delete(f"{API}/{person['id']}", headers=themselves)

    assert refused.status_code == 409
    assert refused.json()["code"] == "self_termination"
    assert types(await events_about(connection, person["id"])) == ["employee.created"]


async def test_a_unit_that_fails_after_publishing_keeps_neither_the_change_nor_the_event(
    app: FastAPI, make: Factory, connection: AsyncConnection
) -> None:
    person = await make.employee()

    async def terminate_then_fail() -> None:
        async with unit_of_work(
            app.state.database, actor=Actor.system("tests"), outbox=EVENTS
        ) as uow:
            employee = await require_employee(uow.session, employee_id=person["id"])
            await terminate_employee(uow, employee=employee)
            # Written, in the unit's transaction (which the test's connection shares)...
            assert types(await events_about(connection, person["id"]))[-1] == "employee.deleted"
            assert [event.type for event in uow.events] == ["employee.deleted"]
            raise RuntimeError("failed after the event was written")

    with pytest.raises(RuntimeError, match="after the event"):
        await terminate_then_fail()

    # ...and gone with it.
    assert types(await events_about(connection, person["id"])) == ["employee.created"]
    status = await connection.scalar(select(Employee.status).where(Employee.id == person["id"]))
    assert status == "active"


async def test_created_and_updated_events_carry_the_employee_as_they_are_now(
    client: httpx.AsyncClient,
    hr: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
    clock: FrozenClock,
) -> None:
    sales = await make.department(name="Sales")
    support = await make.department(name="Support")

    created = await client.post(
        API,
        json={
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@tb-erp.test",
            "department_id": sales["id"],
        },
        headers=hr,
    )
    assert created.status_code == 201, created.text
    ada = created.json()
    assert ada["hire_date"] == clock.today().isoformat()

    async def patch(body: dict[str, Any]) -> None:
        response = await client.patch(f"{API}/{ada['id']}", json=body, headers=hr)
        assert response.status_code == 200, response.text

    await patch({"last_name": "King", "department_id": support["id"]})
    await patch({"status": "on_leave"})
    await patch({"status": "on_leave", "last_name": "King"})  # nothing changes: no event
    roles = await client.put(
        f"{API}/{ada['id']}/roles", json={"roles": ["employee", "accountant"]}, headers=hr
    )
    assert roles.status_code == 200, roles.text

    events = await events_about(connection, ada["id"])
    assert types(events) == [
        "employee.created",
        "employee.updated",
        "employee.updated",
        "employee.updated",
    ]
    assert {dt.datetime.fromisoformat(event["time"]) for event in events} == {clock.now()}
    assert events[0]["data"] == {
        "id": ada["id"],
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@tb-erp.test",
        "status": "active",
        "department_id": sales["id"],
        "department_name": "Sales",
    }
    assert [
        (e["data"]["last_name"], e["data"]["status"], e["data"]["department_name"])
        for e in events[1:]
    ] == [
        ("King", "active", "Support"),
        ("King", "on_leave", "Support"),
        ("King", "on_leave", "Support"),  # the roles changed; the event carries them as they are
    ]


async def test_renaming_a_department_announces_its_current_members(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory, connection: AsyncConnection
) -> None:
    department = await make.department(name="Ops")
    staying = await make.employee(department_id=department["id"])
    gone = await make.employee(department_id=department["id"])
    assert (await client.delete(f"{API}/{gone['id']}", headers=hr)).status_code == 204

    renamed = await client.patch(
        f"/api/v1/departments/{department['id']}", json={"name": "Operations"}, headers=hr
    )

    assert renamed.status_code == 200, renamed.text
    staying_events = await events_about(connection, staying["id"])
    assert types(staying_events) == ["employee.created", "employee.updated"]
    assert staying_events[1]["data"]["department_name"] == "Operations"
    assert types(await events_about(connection, gone["id"])) == [
        "employee.created",
        "employee.deleted",
    ]


async def test_a_request_passes_its_id_and_trace_to_its_events(
    client: httpx.AsyncClient, hr: dict[str, str], connection: AsyncConnection
) -> None:
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    created = await client.post(
        API,
        json={"first_name": "Tim", "last_name": "Trace", "email": "tim.trace@tb-erp.test"},
        headers={**hr, "traceparent": trace, "X-Request-ID": "hire-tim-1"},
    )

    assert created.status_code == 201, created.text
    assert created.headers["X-Request-ID"] == "hire-tim-1"
    [event] = await events_about(connection, created.json()["id"])
    assert event["traceparent"] == trace
    assert dt.datetime.fromisoformat(event["time"]).tzinfo is not None
