"""Moving and terminating employees in bulk (POST /employees/bulk): each employee by the rules and
with the event of its single-row endpoint, all of them or none."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tb_platform.testing import TokenFactory

from .conftest import Factory
from .test_employees import fields_of
from .test_events import events_about, types

API = "/api/v1/employees"
BULK = f"{API}/bulk"


async def _get(client: httpx.AsyncClient, headers: dict[str, str], employee_id: int) -> Any:
    response = await client.get(f"{API}/{employee_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_terminating_several_employees_publishes_the_single_row_event_for_each(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory, connection: AsyncConnection
) -> None:
    department = await make.department(name="Night Shift")
    people = [await make.employee(department_id=department["id"]) for _ in range(3)]
    ids = [people[1]["id"], people[2]["id"], people[0]["id"]]

    response = await client.post(BULK, json={"action": "terminate", "ids": ids}, headers=hr)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["action"], body["succeeded"], body["failed"]) == ("terminate", 3, 0)
    assert [row["id"] for row in body["results"]] == ids
    assert {row["item"]["status"] for row in body["results"]} == {"terminated"}
    assert {row["item"]["has_login"] for row in body["results"]} == {False}
    for person in people:
        events = await events_about(connection, person["id"])
        assert types(events) == ["employee.created", "employee.deleted"]
        assert events[1]["data"]["department_name"] == "Night Shift"
        assert (await _get(client, hr, person["id"]))["status"] == "terminated"


async def test_hr_cannot_terminate_an_admin_in_bulk_and_then_nobody_is_terminated(
    client: httpx.AsyncClient,
    hr: dict[str, str],
    admin: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    person = await make.employee()
    an_admin = await make.employee(roles=["admin"], password="admin-password-1")
    ids = [person["id"], an_admin["id"], 999_999]

    response = await client.post(BULK, json={"action": "terminate", "ids": ids}, headers=hr)

    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "bulk_rejected"
    assert body["detail"] == "2 of 3 rows cannot be terminated; nothing was changed"
    assert [(r["id"], r["ok"], r.get("status"), r.get("code")) for r in body["results"]] == [
        (person["id"], True, None, None),
        (an_admin["id"], False, 403, "forbidden"),
        (999_999, False, 404, "not_found"),
    ]
    for someone in (person, an_admin):
        assert (await _get(client, admin, someone["id"]))["status"] == "active"
        assert types(await events_about(connection, someone["id"])) == ["employee.created"]

    # An admin may terminate the admin (another admin login remains).
    await make.employee(roles=["admin"], password="admin-password-2")
    allowed = await client.post(
        BULK, json={"action": "terminate", "ids": [person["id"], an_admin["id"]]}, headers=admin
    )
    assert allowed.status_code == 200, allowed.text
    assert types(await events_about(connection, an_admin["id"])) == [
        "employee.created",
        "employee.deleted",
    ]


async def test_terminating_oneself_among_others_rejects_the_batch(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    me = await make.employee(roles=["hr_manager"])
    other = await make.employee()
    as_me = tokens.headers("hr_manager", employee_id=me["id"])

    response = await client.post(
        BULK, json={"action": "terminate", "ids": [other["id"], me["id"]]}, headers=as_me
    )

    assert response.status_code == 409, response.text
    failed = [r for r in response.json()["results"] if not r["ok"]]
    assert [(r["id"], r["code"]) for r in failed] == [(me["id"], "self_termination")]
    assert (await _get(client, as_me, me["id"]))["status"] == "active"


async def test_moving_several_employees_to_a_department_announces_each_change(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory, connection: AsyncConnection
) -> None:
    old = await make.department(name="Old Team")
    new = await make.department(name="New Team")
    moved = [await make.employee(department_id=old["id"]) for _ in range(2)]
    already = await make.employee(department_id=new["id"])

    response = await client.post(
        BULK,
        json={
            "action": "set_department",
            "ids": [m["id"] for m in moved] + [already["id"]],
            "department_id": new["id"],
        },
        headers=hr,
    )

    assert response.status_code == 200, response.text
    assert {row["item"]["department_id"] for row in response.json()["results"]} == {new["id"]}
    for person in moved:
        events = await events_about(connection, person["id"])
        assert types(events) == ["employee.created", "employee.updated"]
        assert events[1]["data"]["department_name"] == "New Team"
    # As PATCH: no change, no event.
    assert types(await events_about(connection, already["id"])) == ["employee.created"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "set_department"}, "department_id"),
        ({"action": "set_department", "department_id": 999_999}, "department_id"),
        ({"action": "terminate", "department_id": 1}, "department_id"),
        ({"action": "terminate", "reason": "Left"}, "reason"),
        ({"action": "fire"}, "action"),
        ({"action": "terminate", "ids": []}, "ids"),
        ({"action": "terminate", "ids": [3, 3]}, "ids"),
        ({"action": "terminate", "ids": ["x"]}, "ids.0"),
    ],
)
async def test_a_body_that_does_not_fit_its_action_is_a_422_naming_the_field(
    client: httpx.AsyncClient,
    hr: dict[str, str],
    make: Factory,
    body: dict[str, Any],
    field: str,
) -> None:
    person = await make.employee()
    response = await client.post(BULK, json={"ids": [person["id"]], **body}, headers=hr)
    assert field in fields_of(response)
    assert (await _get(client, hr, person["id"]))["status"] == "active"


async def test_only_admins_and_hr_act_in_bulk(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, hr: dict[str, str]
) -> None:
    person = await make.employee()
    body = {"action": "terminate", "ids": [person["id"]]}
    for role in ("accountant", "asset_manager", "employee"):
        response = await client.post(BULK, json=body, headers=tokens.headers(role, employee_id=5))
        assert response.status_code == 403, (role, response.text)
    assert (await client.post(BULK, json=body)).status_code == 401
    assert (await _get(client, hr, person["id"]))["status"] == "active"
