"""Maintenance: open work takes an asset out of service, completing it puts it back; due lists."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from .conftest import API, Factory, Staff, fields_of, money, today

ASSETS = f"{API}/assets"
DUE = f"{API}/maintenance/due"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_open_work_puts_an_asset_in_maintenance_until_it_is_completed(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()

    opened = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance",
        json={
            "kind": "corrective",
            "description": "Replace the battery",
            "vendor": "FixIt Ltd",
            "started_at": "2025-02-03T09:30:00Z",
            "next_due_date": "2026-02-03",
        },
        headers=manager,
    )

    assert opened.status_code == 201, opened.text
    log = opened.json()
    assert log["asset_id"] == asset["id"]
    assert log["kind"] == "corrective"
    assert log["description"] == "Replace the battery"
    assert log["vendor"] == "FixIt Ltd"
    assert money(log["cost"]) == 0
    assert _at(log["started_at"]) == datetime(2025, 2, 3, 9, 30, tzinfo=UTC)
    assert log["completed_at"] is None
    assert log["next_due_date"] == "2026-02-03"
    assert log["created_by"] == "asset-manager-tests"
    assert log["created_at"]
    assert (await make.get(asset))["status"] == "in_maintenance"

    completed = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{log['id']}/complete",
        json={"completed_at": "2025-02-04T16:00:00Z", "cost": "149.90"},
        headers=manager,
    )

    assert completed.status_code == 200, completed.text
    done = completed.json()
    assert done["id"] == log["id"]
    assert _at(done["completed_at"]) == datetime(2025, 2, 4, 16, 0, tzinfo=UTC)
    assert money(done["cost"]) == Decimal("149.90")
    assert done["next_due_date"] == "2026-02-03"
    assert (await make.get(asset))["status"] == "in_stock"

    # The next piece of work is completed without a body: now.
    second = await make.open_maintenance(asset)
    now_done = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{second['id']}/complete", headers=manager
    )
    assert now_done.status_code == 200, now_done.text
    assert now_done.json()["completed_at"] is not None
    again = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{log['id']}/complete", json={}, headers=manager
    )
    assert again.status_code == 409, again.text


async def test_an_assigned_asset_keeps_its_holder_through_maintenance(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.assign(await make.asset(), staff.carol)

    log = await make.open_maintenance(asset, kind="inspection", description="Yearly check")
    during = await make.get(asset)
    assert during["status"] == "in_maintenance"
    assert during["assigned_employee_id"] == staff.carol["id"]
    # Not assigned right now, so it cannot be returned until the work is done.
    returned = await client.post(f"{ASSETS}/{asset['id']}/return", headers=manager)
    assert returned.status_code == 409, returned.text

    due_on = (today() + timedelta(days=5)).isoformat()
    completed = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{log['id']}/complete",
        json={"next_due_date": due_on},
        headers=manager,
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["completed_at"] is not None
    assert completed.json()["next_due_date"] == due_on
    due = (await client.get(DUE, headers=manager)).json()["items"]
    assert [(i["asset_id"], i["log_id"]) for i in due] == [(asset["id"], log["id"])]
    after = await make.get(asset)
    assert after["status"] == "assigned"
    assert after["assigned_employee_id"] == staff.carol["id"]
    history = (await client.get(f"{ASSETS}/{asset['id']}/history", headers=manager)).json()
    assert [r["returned_at"] for r in history["items"]] == [None]


async def test_a_record_of_past_work_does_not_change_the_status(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    stock = await make.asset()
    held = await make.assign(await make.asset(), staff.alice)
    for asset, status in ((stock, "in_stock"), (held, "assigned")):
        log = await make.open_maintenance(
            asset,
            kind="preventive",
            started_at="2024-11-01T08:00:00Z",
            completed_at="2024-11-01T12:00:00Z",
            cost=80,
        )
        assert log["completed_at"] is not None
        assert money(log["cost"]) == Decimal("80")
        assert (await make.get(asset))["status"] == status
    # The asset has no open work, so new open work is allowed.
    await make.open_maintenance(stock)


async def test_one_open_log_at_a_time(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    first = await make.open_maintenance(asset)

    second = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance",
        json={"kind": "corrective", "description": "Another fault"},
        headers=manager,
    )
    assert second.status_code == 409, second.text
    logs = (await client.get(f"{ASSETS}/{asset['id']}/maintenance", headers=manager)).json()
    assert [log["id"] for log in logs["items"]] == [first["id"]]


async def test_completed_before_started_is_refused(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    response = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance",
        json={
            "kind": "corrective",
            "description": "Time travel",
            "started_at": "2025-03-02T10:00:00Z",
            "completed_at": "2025-03-01T10:00:00Z",
        },
        headers=manager,
    )
    assert fields_of(response) == ["completed_at"]
    assert (await make.get(asset))["status"] == "in_stock"

    log = await make.open_maintenance(asset, started_at="2025-03-02T10:00:00Z")
    early = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{log['id']}/complete",
        json={"completed_at": "2025-03-02T09:59:59Z"},
        headers=manager,
    )
    assert fields_of(early) == ["completed_at"]
    assert (await make.get(asset))["status"] == "in_maintenance"


async def test_bad_maintenance_input_names_the_field(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    base = {"kind": "preventive", "description": "Oil change"}
    for change, field in (
        ({"kind": "cosmetic"}, "kind"),
        ({"description": ""}, "description"),
        ({"description": "nul\x00"}, "description"),
        ({"cost": -1}, "cost"),
        ({"next_due_date": "2025-02-31"}, "next_due_date"),
    ):
        response = await client.post(
            f"{ASSETS}/{asset['id']}/maintenance", json={**base, **change}, headers=manager
        )
        assert fields_of(response) == [field], change
    assert (await make.get(asset))["status"] == "in_stock"


async def test_retired_and_disposed_assets_get_no_maintenance(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    retired = await make.asset()
    await client.patch(f"{ASSETS}/{retired['id']}", json={"status": "retired"}, headers=manager)
    disposed = await make.dispose(await make.asset(), date="2024-12-31")
    for asset in (retired, disposed):
        response = await client.post(
            f"{ASSETS}/{asset['id']}/maintenance",
            json={"kind": "inspection", "description": "Look at it"},
            headers=manager,
        )
        assert response.status_code == 409, response.text


async def test_logs_are_listed_newest_first_and_belong_to_their_asset(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    other = await make.asset()
    older = await make.open_maintenance(
        asset, started_at="2024-03-01T08:00:00Z", completed_at="2024-03-01T09:00:00Z"
    )
    newer = await make.open_maintenance(
        asset, started_at="2024-09-01T08:00:00Z", completed_at="2024-09-01T09:00:00Z"
    )
    open_log = await make.open_maintenance(other)

    logs = await client.get(f"{ASSETS}/{asset['id']}/maintenance", headers=manager)
    assert logs.status_code == 200
    assert [log["id"] for log in logs.json()["items"]] == [newer["id"], older["id"]]
    # Another asset's log cannot be completed through this asset.
    crossed = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{open_log['id']}/complete", headers=manager
    )
    assert crossed.status_code == 404
    assert (await make.get(other))["status"] == "in_maintenance"
    missing = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/999999/complete", headers=manager
    )
    assert missing.status_code == 404


async def test_the_due_list_shows_each_assets_latest_due_date_soonest_first(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()

    async def record(asset: dict[str, Any], started: str, due: str) -> dict[str, Any]:
        return await make.open_maintenance(
            asset,
            kind="preventive",
            started_at=f"{started}T08:00:00Z",
            completed_at=f"{started}T09:00:00Z",
            next_due_date=due,
        )

    # A: an old log due in January was superseded by a newer one due in March.
    a = await make.asset(category, name="Compressor A")
    await record(a, "2024-01-10", "2025-01-20")
    a_latest = await record(a, "2024-06-10", "2025-03-15")
    # B: due in February.
    b = await make.asset(category, name="Compressor B")
    b_log = await record(b, "2024-02-10", "2025-02-01")
    # C: due in January but disposed since.
    c = await make.asset(category, name="Compressor C")
    await record(c, "2024-02-10", "2025-01-05")
    await make.dispose(c, date="2024-12-01")

    due = await client.get(DUE, params={"before": "2025-02-28"}, headers=manager)
    assert due.status_code == 200, due.text
    items = due.json()["items"]
    # A's latest due date (March) is after the cut-off, so A is not due although an older log was.
    assert [i["asset_id"] for i in items if i["asset_id"] in {a["id"], b["id"], c["id"]}] == [
        b["id"]
    ]
    (item,) = [i for i in items if i["asset_id"] == b["id"]]
    assert item == {
        "asset_id": b["id"],
        "asset_tag": b["asset_tag"],
        "asset_name": "Compressor B",
        "log_id": b_log["id"],
        "kind": "preventive",
        "next_due_date": "2025-02-01",
    }

    later = (await client.get(DUE, params={"before": "2025-12-31"}, headers=manager)).json()
    ours = [i for i in later["items"] if i["asset_id"] in {a["id"], b["id"], c["id"]}]
    assert [(i["asset_id"], i["next_due_date"]) for i in ours] == [
        (b["id"], "2025-02-01"),
        (a["id"], "2025-03-15"),
    ]
    assert [i["log_id"] for i in ours] == [b_log["id"], a_latest["id"]]
    dates = [i["next_due_date"] for i in later["items"]]
    assert dates == sorted(dates)

    assert fields_of(await client.get(DUE, params={"before": "soon"}, headers=manager)) == [
        "before"
    ]


async def test_the_due_list_looks_30_days_ahead_by_default(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    soon = await make.asset(name="Due soon")
    await make.open_maintenance(
        soon,
        started_at="2024-05-01T08:00:00Z",
        completed_at="2024-05-01T09:00:00Z",
        next_due_date=(today() + timedelta(days=30)).isoformat(),
    )
    later = await make.asset(name="Due later")
    await make.open_maintenance(
        later,
        started_at="2024-05-01T08:00:00Z",
        completed_at="2024-05-01T09:00:00Z",
        next_due_date=(today() + timedelta(days=31)).isoformat(),
    )

    response = await client.get(DUE, headers=manager)
    assert response.status_code == 200, response.text
    listed = {i["asset_id"] for i in response.json()["items"]}
    assert soon["id"] in listed
    assert later["id"] not in listed


async def test_work_cannot_start_or_end_in_the_future(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    for body, field in (
        ({"started_at": tomorrow}, "started_at"),
        ({"started_at": "2025-03-02T10:00:00Z", "completed_at": tomorrow}, "completed_at"),
    ):
        response = await client.post(
            f"{ASSETS}/{asset['id']}/maintenance",
            json={"kind": "inspection", "description": "Ahead of time", **body},
            headers=manager,
        )
        assert fields_of(response) == [field], body
    assert (await make.get(asset))["status"] == "in_stock"

    log = await make.open_maintenance(asset, started_at="2025-03-02T10:00:00Z")
    early = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{log['id']}/complete",
        json={"completed_at": tomorrow},
        headers=manager,
    )
    assert fields_of(early) == ["completed_at"]
    assert (await make.get(asset))["status"] == "in_maintenance"


async def test_the_due_list_pages_like_every_list(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()
    due_dates = ["2025-01-05", "2025-01-03", "2025-01-04", "2025-01-03", "2025-01-01"]
    for n, due in enumerate(due_dates):
        await make.open_maintenance(
            await make.asset(category, name=f"Due {n}"),
            started_at="2024-05-01T08:00:00Z",
            completed_at="2024-05-01T09:00:00Z",
            next_due_date=due,
        )
    params: dict[str, Any] = {"before": "2025-01-31", "limit": 2}

    first = (await client.get(DUE, params=params, headers=manager)).json()
    assert (first["total"], first["offset"], len(first["items"])) == (5, 0, 2)
    seen = [(i["next_due_date"], i["asset_id"]) for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = await client.get(DUE, params={**params, "cursor": cursor}, headers=manager)
        assert page.status_code == 200, page.text
        assert page.json()["total"] is None
        seen += [(i["next_due_date"], i["asset_id"]) for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert seen == sorted(seen)
    assert [d for d, _ in seen] == sorted(due_dates)

    offset = (await client.get(DUE, params={**params, "offset": 4}, headers=manager)).json()
    assert [(i["next_due_date"], i["asset_id"]) for i in offset["items"]] == seen[4:]
    newest = await client.get(DUE, params={**params, "sort": "-next_due_date"}, headers=manager)
    assert newest.json()["items"][0]["next_due_date"] == "2025-01-05"
    unknown = await client.get(DUE, params={**params, "sort": "vendor"}, headers=manager)
    assert fields_of(unknown) == ["sort"]
