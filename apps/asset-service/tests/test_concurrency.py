"""Concurrent requests with real commits: one winner for every state change.

These tests run the app on a database of their own (migrated here, dropped afterwards) with its
own sessionmaker, so every request has its own transaction and connection and ``asyncio.gather``
really races them; the rows they commit never show up in the other tests' lists.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from asset_service.cli import ALEMBIC_DIR
from asset_service.core.config import AssetSettings
from asset_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import api_client, temporary_database

from .conftest import API, TEST_SECRET, EmployeeService, Factory, Staff

ASSETS = f"{API}/assets"


@pytest.fixture
async def racing(
    employee_service: EmployeeService, manager: dict[str, str]
) -> AsyncIterator[Factory]:
    with temporary_database("tb_race") as url:
        migrations.upgrade(ALEMBIC_DIR, url)
        app = create_app(
            AssetSettings(
                database_url=url,
                environment="test",
                jwt_secret=TEST_SECRET,
                employee_service_url=employee_service.url,
            )
        )
        try:
            async with api_client(app) as client:
                yield Factory(client, manager)
        finally:
            await app.state.database.dispose()


def _codes(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


async def test_five_people_grabbing_one_laptop_at_once_one_gets_it(
    racing: Factory, staff: Staff, employee_service: EmployeeService
) -> None:
    client, headers = racing.client, racing.headers
    asset = await racing.asset()
    people = [staff.alice, staff.bob, staff.carol, *(employee_service.hire() for _ in range(2))]

    responses = await asyncio.gather(
        *(
            client.post(
                f"{ASSETS}/{asset['id']}/assign", json={"employee_id": p["id"]}, headers=headers
            )
            for p in people
        )
    )

    assert _codes(responses) == [200, 409, 409, 409, 409], [r.text for r in responses]
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    after = await racing.get(asset)
    assert after["status"] == "assigned"
    assert after["assigned_employee_id"] == winner["assigned_employee_id"]
    history = (await client.get(f"{ASSETS}/{asset['id']}/history", headers=headers)).json()
    assert [(h["employee_id"], h["returned_at"]) for h in history["items"]] == [
        (winner["assigned_employee_id"], None)
    ]


async def test_parallel_repairs_open_one_log(racing: Factory) -> None:
    client, headers = racing.client, racing.headers
    asset = await racing.asset()

    responses = await asyncio.gather(
        *(
            client.post(
                f"{ASSETS}/{asset['id']}/maintenance",
                json={"kind": "corrective", "description": f"Fault {n}"},
                headers=headers,
            )
            for n in range(5)
        )
    )

    assert _codes(responses) == [201, 409, 409, 409, 409], [r.text for r in responses]
    logs = (await client.get(f"{ASSETS}/{asset['id']}/maintenance", headers=headers)).json()
    assert [log["completed_at"] for log in logs["items"]] == [None]
    assert (await racing.get(asset))["status"] == "in_maintenance"


async def test_disposing_and_assigning_at_once_leaves_a_consistent_asset(
    racing: Factory, staff: Staff
) -> None:
    client, headers = racing.client, racing.headers
    for _ in range(3):
        asset = await racing.asset()
        dispose, assign = await asyncio.gather(
            client.post(
                f"{ASSETS}/{asset['id']}/dispose",
                json={"date": "2024-06-30", "proceeds": 10, "reason": "Sold"},
                headers=headers,
            ),
            client.post(
                f"{ASSETS}/{asset['id']}/assign",
                json={"employee_id": staff.alice["id"]},
                headers=headers,
            ),
        )
        assert sorted([dispose.status_code, assign.status_code]) == [200, 409], (
            dispose.text,
            assign.text,
        )
        after = await racing.get(asset)
        history = (await client.get(f"{ASSETS}/{asset['id']}/history", headers=headers)).json()
        if dispose.status_code == 200:
            assert after["status"] == "disposed"
            assert after["assigned_employee_id"] is None
            assert history["items"] == []
        else:
            assert after["status"] == "assigned"
            assert after["disposal_date"] is None
            assert len(history["items"]) == 1


async def test_parallel_creates_get_distinct_tags_and_one_code_wins(racing: Factory) -> None:
    client, headers = racing.client, racing.headers
    category = await racing.category()
    body: dict[str, Any] = {
        "name": "Same model",
        "category_id": category["id"],
        "purchase_date": "2024-02-01",
        "purchase_cost": "499.00",
    }

    created = await asyncio.gather(
        *(client.post(ASSETS, json=body, headers=headers) for _ in range(10))
    )
    assert _codes(created) == [201] * 10, [r.text for r in created]
    assert len({r.json()["asset_tag"] for r in created}) == 10

    same_code = {
        "code": "RACE",
        "default_useful_life_months": 12,
        "default_depreciation_method": "straight_line",
        "default_salvage_percent": 0,
    }
    categories = await asyncio.gather(
        *(
            client.post(
                f"{API}/categories",
                json={**same_code, "name": f"Racing {n}"},
                headers=headers,
            )
            for n in range(5)
        )
    )
    assert _codes(categories) == [201, 409, 409, 409, 409], [r.text for r in categories]
    tagged = await asyncio.gather(
        *(
            client.post(ASSETS, json={**body, "asset_tag": "ONE-TAG"}, headers=headers)
            for _ in range(5)
        )
    )
    assert _codes(tagged) == [201, 409, 409, 409, 409], [r.text for r in tagged]
