"""An invoice's employee_id names a current employee: known from the employee service's events
(the projection), else asked of the employee service once; unknown or terminated is a 422."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from invoice_service.db.events import EMPLOYEES

from .conftest import INVOICES, Factory, FakeEmployeeService, fields_of, line


async def test_an_employee_is_asked_of_the_employee_service_once_then_known(
    make: Factory, connection: AsyncConnection, employee_service: FakeEmployeeService
) -> None:
    customer = await make.customer()
    first = await make.draft(customer, employee_id=8101)
    second = await make.draft(customer, employee_id=8101)

    assert (first["employee_id"], second["employee_id"]) == (8101, 8101)
    assert employee_service.asked == [[8101]]
    stored = (await connection.execute(select(EMPLOYEES).where(EMPLOYEES.c.id == 8101))).one()
    assert (stored.status, stored.email) == ("active", "e8101@tb-erp.test")


async def test_an_unknown_or_terminated_employee_is_refused_on_create_and_patch(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    employee_service: FakeEmployeeService,
) -> None:
    customer = await make.customer()
    draft = await make.draft(customer)
    employee_service.unknown.add(8201)
    employee_service.terminated.add(8202)

    for employee_id, reason in ((8201, "does not exist"), (8202, "has left the company")):
        created = await client.post(
            INVOICES,
            json={"customer_id": customer["id"], "lines": [line()], "employee_id": employee_id},
            headers=admin,
        )
        assert fields_of(created) == ["employee_id"]
        assert reason in created.text
        patched = await client.patch(
            f"{INVOICES}/{draft['id']}", json={"employee_id": employee_id}, headers=admin
        )
        assert fields_of(patched) == ["employee_id"]
    assert (await make.get(draft["id"]))["employee_id"] is None


async def test_without_the_employee_service_an_unknown_employee_is_a_503_and_nothing_is_written(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    employee_service: FakeEmployeeService,
) -> None:
    customer = await make.customer()
    known = await make.draft(customer, employee_id=8301)
    employee_service.down = True

    refused = await client.post(
        INVOICES,
        json={"customer_id": customer["id"], "lines": [line()], "employee_id": 8302},
        headers=admin,
    )
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "employee_service_unavailable"
    listed = await client.get(INVOICES, params={"customer_id": customer["id"]}, headers=admin)
    assert [i["id"] for i in listed.json()["items"]] == [known["id"]]
    # An employee already known needs no employee service.
    again = await make.draft(customer, employee_id=8301)
    assert again["employee_id"] == 8301


async def test_removing_the_employee_asks_nobody(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    employee_service: FakeEmployeeService,
) -> None:
    draft = await make.draft(employee_id=8401)
    employee_service.down = True
    patched = await client.patch(
        f"{INVOICES}/{draft['id']}", json={"employee_id": None, "notes": "n"}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["employee_id"] is None
