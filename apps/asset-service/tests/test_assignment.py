"""Handing assets to employees (checked against the employee projection, which asks the real
employee service about newcomers) and taking them back."""

import socket
import time
from datetime import datetime

import httpx
from fastapi import FastAPI

from asset_service.core.config import AssetSettings

from .conftest import (
    API,
    EmployeeService,
    Factory,
    Staff,
    deliver_employee_events,
    employee_service_at,
    fields_of,
)

ASSETS = f"{API}/assets"


async def test_assigning_an_asset_records_who_has_it(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.asset()

    response = await client.post(
        f"{ASSETS}/{asset['id']}/assign",
        json={"employee_id": staff.alice["id"], "notes": "For the trip"},
        headers=manager,
    )

    assert response.status_code == 200, response.text
    assigned = response.json()
    assert assigned["id"] == asset["id"]
    assert assigned["status"] == "assigned"
    assert assigned["assigned_employee_id"] == staff.alice["id"]
    assert (await make.get(asset))["status"] == "assigned"
    history = await client.get(f"{ASSETS}/{asset['id']}/history", headers=manager)
    assert history.status_code == 200
    rows = history.json()["items"]
    assert len(rows) == 1
    row = rows[0]
    assert row["asset_id"] == asset["id"]
    assert row["employee_id"] == staff.alice["id"]
    assert row["assigned_at"]
    assert row["returned_at"] is None
    assert row["assigned_by"] == "asset-manager-tests"
    assert row["returned_by"] is None
    assert row["notes"] == "For the trip"


async def test_returning_an_asset_puts_it_back_in_stock_and_closes_the_history_row(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.assign(await make.asset(), staff.alice)

    returned = await client.post(
        f"{ASSETS}/{asset['id']}/return", json={"notes": "Left the company"}, headers=manager
    )

    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "in_stock"
    assert returned.json()["assigned_employee_id"] is None
    # Then to someone else, with no body at all on the return this time.
    await make.assign(asset, staff.bob)
    assert (await client.post(f"{ASSETS}/{asset['id']}/return", headers=manager)).status_code == 200

    history = (await client.get(f"{ASSETS}/{asset['id']}/history", headers=manager)).json()
    rows = history["items"]
    assert [r["employee_id"] for r in rows] == [staff.bob["id"], staff.alice["id"]]  # newest first
    for row in rows:
        assert row["returned_at"] is not None
        assert row["returned_by"] == "asset-manager-tests"
        assert datetime.fromisoformat(row["returned_at"]) >= datetime.fromisoformat(
            row["assigned_at"]
        )
    assert datetime.fromisoformat(rows[0]["assigned_at"]) >= datetime.fromisoformat(
        rows[1]["returned_at"]
    )


async def test_returning_an_asset_nobody_has_is_a_conflict(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    response = await client.post(f"{ASSETS}/{asset['id']}/return", headers=manager)
    assert response.status_code == 409, response.text
    assert (await client.post(f"{ASSETS}/999999/return", headers=manager)).status_code == 404


async def test_only_an_asset_in_stock_can_be_assigned(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    category = await make.category()
    held = await make.assign(await make.asset(category), staff.alice)
    retired = await make.asset(category)
    await client.patch(f"{ASSETS}/{retired['id']}", json={"status": "retired"}, headers=manager)
    disposed = await make.dispose(await make.asset(category), date="2024-06-30")
    serviced = await make.asset(category)
    await make.open_maintenance(serviced)

    for asset, status in (
        (held, "assigned"),
        (retired, "retired"),
        (disposed, "disposed"),
        (serviced, "in_maintenance"),
    ):
        response = await client.post(
            f"{ASSETS}/{asset['id']}/assign", json={"employee_id": staff.bob["id"]}, headers=manager
        )
        assert response.status_code == 409, (status, response.text)
        after = await make.get(asset)
        assert after["status"] == status
        assert after["assigned_employee_id"] == (staff.alice["id"] if asset is held else None)
    history = (await client.get(f"{ASSETS}/{held['id']}/history", headers=manager)).json()
    rows = history["items"]
    assert len(rows) == 1


async def test_an_unknown_or_terminated_employee_cannot_receive_an_asset(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.asset()

    unknown = await client.post(
        f"{ASSETS}/{asset['id']}/assign", json={"employee_id": 2_000_000_000}, headers=manager
    )
    assert fields_of(unknown) == ["employee_id"]
    terminated = await client.post(
        f"{ASSETS}/{asset['id']}/assign", json={"employee_id": staff.gone["id"]}, headers=manager
    )
    assert fields_of(terminated) == ["employee_id"]
    missing = await client.post(f"{ASSETS}/{asset['id']}/assign", json={}, headers=manager)
    assert fields_of(missing) == ["employee_id"]

    after = await make.get(asset)
    assert after["status"] == "in_stock"
    assert after["assigned_employee_id"] is None
    history = (await client.get(f"{ASSETS}/{asset['id']}/history", headers=manager)).json()
    assert history["items"] == []


async def test_someone_terminated_since_is_refused_once_the_termination_arrives(
    app: FastAPI,
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    employee_service: EmployeeService,
) -> None:
    leaver = employee_service.hire(first_name="Soon", last_name="Leaving")
    first = await make.asset()
    await make.assign(first, leaver)
    employee_service.terminate(leaver["id"])

    # The employee service's own events (hire, termination), as the worker delivers them.
    delivered = await deliver_employee_events(app, leaver["id"])
    assert [e.type for e in delivered] == ["employee.created", "employee.deleted"]

    returned = await make.get(first)
    assert (returned["status"], returned["assigned_employee_id"]) == ("in_stock", None)
    [row] = (await client.get(f"{ASSETS}/{first['id']}/history", headers=manager)).json()["items"]
    assert row["return_reason"] == "employee terminated"
    assert row["returned_by"] == "system:asset-service.employees"
    second = await make.asset()
    response = await client.post(
        f"{ASSETS}/{second['id']}/assign", json={"employee_id": leaver["id"]}, headers=manager
    )
    assert fields_of(response) == ["employee_id"]
    assert "left the company" in response.json()["detail"][0]["msg"]


async def test_when_the_employee_service_is_down_known_employees_still_work(
    app: FastAPI,
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    settings: AssetSettings,
    staff: Staff,
    employee_service: EmployeeService,
) -> None:
    """The projection answers for the employees it knows; only a newcomer needs the service."""
    known = await make.assign(await make.asset(), staff.alice)  # the projection learns Alice
    await client.post(f"{ASSETS}/{known['id']}/return", headers=manager)
    newcomer = employee_service.hire(first_name="Brand", last_name="New")
    asset = await make.asset()
    async with employee_service_at(app, settings, employee_service_url="http://127.0.0.1:9"):
        refused = await client.post(
            f"{ASSETS}/{asset['id']}/assign",
            json={"employee_id": newcomer["id"]},
            headers=manager,
        )
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "employee_service_unavailable"
        after = await make.get(asset)
        assert (after["status"], after["assigned_employee_id"]) == ("in_stock", None)
        history = (await client.get(f"{ASSETS}/{asset['id']}/history", headers=manager)).json()
        assert history["items"] == []

        await make.assign(asset, staff.alice)
        await client.post(f"{ASSETS}/{asset['id']}/return", headers=manager)
    # And with the service back, the newcomer too.
    await make.assign(asset, newcomer)


async def test_a_failing_employee_service_is_503_too(
    app: FastAPI,
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    settings: AssetSettings,
    staff: Staff,
    employee_service: EmployeeService,
) -> None:
    """A URL that answers but not with the batch endpoint (404s) is a failing service."""
    asset = await make.asset()
    async with employee_service_at(
        app, settings, employee_service_url=f"{employee_service.url}/nowhere"
    ):
        response = await client.post(
            f"{ASSETS}/{asset['id']}/assign",
            json={"employee_id": staff.alice["id"]},
            headers=manager,
        )

    assert response.status_code == 503, response.text
    assert response.json()["code"] == "employee_service_unavailable"
    assert (await make.get(asset))["status"] == "in_stock"


async def test_an_employee_on_leave_can_still_be_given_an_asset(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    employee_service: EmployeeService,
) -> None:
    away = employee_service.hire(first_name="On", last_name="Leave", status="on_leave")
    assert away["status"] == "on_leave"
    asset = await make.assign(await make.asset(), away)
    assert asset["assigned_employee_id"] == away["id"]


async def test_bad_assignment_input_names_the_field(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.asset()
    bad_notes = await client.post(
        f"{ASSETS}/{asset['id']}/assign",
        json={"employee_id": staff.alice["id"], "notes": "nul\x00"},
        headers=manager,
    )
    assert fields_of(bad_notes) == ["notes"]
    await make.assign(asset, staff.alice)
    bad_return = await client.post(
        f"{ASSETS}/{asset['id']}/return", json={"notes": "nul\x00"}, headers=manager
    )
    assert fields_of(bad_return) == ["notes"]
    assert (await make.get(asset))["status"] == "assigned"


async def test_a_hanging_employee_service_times_out_as_503(
    app: FastAPI,
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    settings: AssetSettings,
    staff: Staff,
) -> None:
    """A service that accepts the connection but never answers: the timeout setting applies."""
    asset = await make.asset()
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        async with employee_service_at(
            app,
            settings,
            employee_service_url=f"http://127.0.0.1:{port}",
            employee_service_timeout_seconds=0.5,
        ):
            response = await client.post(
                f"{ASSETS}/{asset['id']}/assign",
                json={"employee_id": staff.alice["id"]},
                headers=manager,
            )
        elapsed = time.monotonic() - started

    assert response.status_code == 503, response.text
    assert response.json()["code"] == "employee_service_unavailable"
    assert elapsed < 4, elapsed
    assert (await make.get(asset))["status"] == "in_stock"
