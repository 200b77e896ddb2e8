"""The asset list's cached pages: a page read again comes from Redis, and every change of the
register (through the API or the worker's event handlers) shows in the very next read.

These tests run an app of their own with Redis (the run's other tests have no cache), under a
namespace of their own; each test starts a new generation, so no test reads another's pages.
"""

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from asset_service.core.config import AssetSettings

from .conftest import (
    API,
    EmployeeService,
    Factory,
    Staff,
    deliver_employee_events,
    frozen_app,
    today,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ASSETS = f"{API}/assets"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def app(settings: AssetSettings) -> AsyncIterator[FastAPI]:
    application = frozen_app(
        settings.model_copy(
            update={
                "redis_url": REDIS_URL,
                "cache_namespace": f"tb-test-assets-{secrets.token_hex(6)}",
            }
        )
    )
    yield application
    await application.state.employee_directory.aclose()
    await application.state.asset_pages.close()
    await application.state.database.dispose()


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def new_generation(app: FastAPI) -> None:
    await app.state.asset_pages.invalidate()


async def page(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> tuple[str, dict[str, Any]]:
    """One read of the list: whether it came from the cache, and the page."""
    response = await client.get(ASSETS, params={"sort": "-id", **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["x-cache"], response.json()


async def cached_page(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    """Read the page until it is a cache hit; the page."""
    await page(client, headers, **params)
    outcome, body = await page(client, headers, **params)
    assert outcome == "hit"
    return body


async def test_a_page_read_again_comes_from_the_cache_as_it_was_read(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset(name="Cached laptop")
    first = await client.get(ASSETS, params={"sort": "-id"}, headers=manager)
    again = await client.get(ASSETS, params={"sort": "-id"}, headers=manager)
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("miss", "hit")
    assert again.content == first.content
    assert again.json()["items"][0]["name"] == asset["name"] == "Cached laptop"
    assert again.headers["content-type"] == "application/json"
    assert again.headers["x-request-id"]  # the unit of work's headers are kept

    # Another page, another filter, another size: another entry.
    assert (await page(client, manager, limit=1))[0] == "miss"
    assert (await page(client, manager, q="Cached"))[0] == "miss"
    # The client may ask for a fresh read.
    fresh = await client.get(
        ASSETS, params={"sort": "-id"}, headers={**manager, "Cache-Control": "no-cache"}
    )
    assert fresh.headers["x-cache"] == "miss"
    assert fresh.json() == first.json()


async def _create(make: Factory, asset: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    new = await make.asset(category_id=asset["category_id"], name="Arrived since")
    return lambda body: any(item["id"] == new["id"] for item in body["items"])


async def _update(make: Factory, asset: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    response = await make.client.patch(
        f"{ASSETS}/{asset['id']}", json={"name": "Renamed since"}, headers=make.headers
    )
    assert response.status_code == 200, response.text
    return lambda body: _item(body, asset)["name"] == "Renamed since"


async def _assign(
    make: Factory, asset: dict[str, Any], staff: Staff
) -> Callable[[dict[str, Any]], bool]:
    await make.assign(asset, staff.alice)
    return lambda body: _item(body, asset)["assigned_employee_id"] == staff.alice["id"]


async def _maintain(make: Factory, asset: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    await make.open_maintenance(asset)
    return lambda body: _item(body, asset)["status"] == "in_maintenance"


async def _dispose(make: Factory, asset: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    await make.dispose(asset)
    return lambda body: _item(body, asset)["status"] == "disposed"


async def _delete(make: Factory, asset: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    response = await make.client.delete(f"{ASSETS}/{asset['id']}", headers=make.headers)
    assert response.status_code == 204, response.text
    return lambda body: all(item["id"] != asset["id"] for item in body["items"])


async def _import(make: Factory, asset: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    category = await make.client.get(
        f"{API}/categories/{asset['category_id']}", headers=make.headers
    )
    content = (
        "name,category_code,purchase_date,purchase_cost\n"
        f"Imported since,{category.json()['code']},2024-02-01,99.00\n"
    ).encode()
    response = await make.client.post(
        f"{ASSETS}/import",
        files={"file": ("assets.csv", content, "text/csv")},
        headers=make.headers,
    )
    assert response.status_code == 201, response.text
    return lambda body: body["items"][0]["name"] == "Imported since"


def _item(body: dict[str, Any], asset: dict[str, Any]) -> dict[str, Any]:
    [item] = [item for item in body["items"] if item["id"] == asset["id"]]
    return item


CHANGES: dict[str, Callable[..., Awaitable[Callable[[dict[str, Any]], bool]]]] = {
    "create": _create,
    "update": _update,
    "assign": _assign,
    "maintenance": _maintain,
    "dispose": _dispose,
    "delete": _delete,
    "import": _import,
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_every_change_of_the_register_shows_in_the_next_read(
    change: str, client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.asset()
    before = await cached_page(client, manager)
    changed = CHANGES[change]
    seen = await (changed(make, asset, staff) if change == "assign" else changed(make, asset))
    assert not seen(before)

    outcome, after = await page(client, manager)
    assert outcome == "miss"
    assert seen(after), after["items"][:3]


async def test_an_employees_page_is_their_own_not_the_managers(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    tokens: Any,
    make: Factory,
    staff: Staff,
) -> None:
    mine = await make.assign(await make.asset(name="Alice's phone"), staff.alice)
    await make.asset(name="In stock")
    everything = await cached_page(client, manager)
    assert len(everything["items"]) >= 2

    alice = tokens.headers("employee", employee_id=staff.alice["id"], sub="alice-cache")
    outcome, own = await page(client, alice)
    assert outcome == "miss"
    assert {item["assigned_employee_id"] for item in own["items"]} == {staff.alice["id"]}
    assert mine["id"] in {item["id"] for item in own["items"]}


async def test_a_leaver_released_by_the_event_handler_shows_in_the_next_read(
    app: FastAPI,
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    employee_service: EmployeeService,
) -> None:
    leaver = employee_service.hire(first_name="Cached", last_name="Leaver")
    held = await make.assign(await make.asset(), leaver)
    before = await cached_page(client, manager)
    assert _item(before, held)["status"] == "assigned"

    employee_service.terminate(leaver["id"])
    await deliver_employee_events(app, leaver["id"])  # the worker's consumer, in this process

    outcome, after = await page(client, manager)
    assert outcome == "miss"
    assert (_item(after, held)["status"], _item(after, held)["assigned_employee_id"]) == (
        "in_stock",
        None,
    )


async def test_another_business_date_reads_its_own_page(
    app: FastAPI, client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset(purchase_date=(today() - timedelta(days=400)).isoformat())
    before = await cached_page(client, manager)
    app.state.clock.advance(timedelta(days=62))
    try:
        outcome, later = await page(client, manager)
    finally:
        app.state.clock.advance(timedelta(days=-62))
    assert outcome == "miss"
    assert Decimal(_item(later, asset)["book_value"]) < Decimal(_item(before, asset)["book_value"])
