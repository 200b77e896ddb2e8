"""The RBAC matrix generated from the permission tables: every route by every role, each answer the
one the table gives (2xx, 403, or for an employee the assets they hold and 404 for any other),
and 401 without a token. A route added without a rule or without a probe here fails it."""

import uuid
from typing import Any

from fastapi import FastAPI

from asset_service.core.permissions import POLICY
from asset_service.worker import WORKER
from tb_platform.testing import TokenFactory
from tb_platform.testing.rbac import Call, Cell, Probe, Target, platform_probes, run_matrix

from .conftest import Factory, Staff


def _make(cell: Cell) -> Factory:
    return Factory(cell.client, cell.admin)


async def _held(cell: Cell) -> dict[str, Any]:
    """An asset the probe's target employee holds."""
    make = _make(cell)
    return await make.assign(await make.asset(), {"id": cell.owner})


async def _stock(cell: Cell) -> int:
    return int((await _make(cell).asset())["id"])


# ---- the probes: per route, the rows it needs and how to call it -------------------------------


async def plain(cell: Cell) -> Call:
    return Call()


async def categories(cell: Cell) -> Call:
    await _make(cell).category()
    return Call()


async def create_category(cell: Cell) -> Call:
    code = f"N{uuid.uuid4().hex[:6].upper()}"
    body = {
        "name": f"New {code}",
        "code": code,
        "default_useful_life_months": 12,
        "default_depreciation_method": "straight_line",
        "default_salvage_percent": 0,
    }
    return Call(json=body)


async def category(cell: Cell) -> Call:
    return Call(path={"category_id": (await _make(cell).category())["id"]})


async def rename_category(cell: Cell) -> Call:
    found = await _make(cell).category()
    return Call(path={"category_id": found["id"]}, json={"name": "Renamed"})


async def held(cell: Cell) -> Call:
    return Call(path={"asset_id": (await _held(cell))["id"]})


async def open_maintenance(cell: Cell) -> Call:
    body = {"kind": "inspection", "description": "Check"}
    return Call(path={"asset_id": await _stock(cell)}, json=body)


async def complete_maintenance(cell: Cell) -> Call:
    make = _make(cell)
    repair = await make.asset()
    log = await make.open_maintenance(repair)
    return Call(path={"asset_id": repair["id"], "log_id": log["id"]})


async def list_assets(cell: Cell) -> Call | None:
    if cell.target is Target.OTHER:
        return None  # a filter on someone else narrows the caller's own list; nothing to hide
    make = _make(cell)
    kind = await make.category()
    for holder in (cell.me, cell.other):
        await make.assign(await make.asset(kind), {"id": holder})
    return Call(query={"category_id": kind["id"]}, owner="assigned_employee_id")


async def create_asset(cell: Cell) -> Call:
    kind = await _make(cell).category()
    body = {
        "name": "New",
        "category_id": kind["id"],
        "purchase_date": "2024-01-01",
        "purchase_cost": "10.00",
    }
    return Call(json=body)


async def import_assets(cell: Cell) -> Call:
    kind = await _make(cell).category()
    csv = f"name,category_code,purchase_date,purchase_cost\nSaw,{kind['code']},2024-01-01,10.00\n"
    return Call(files={"file": ("assets.csv", csv.encode(), "text/csv")})


async def bulk_retire(cell: Cell) -> Call:
    return Call(json={"action": "set_status", "ids": [await _stock(cell)], "status": "retired"})


async def move(cell: Cell) -> Call:
    return Call(path={"asset_id": (await _held(cell))["id"]}, json={"location": "Moved"})


async def stock(cell: Cell) -> Call:
    return Call(path={"asset_id": await _stock(cell)})


async def assign(cell: Cell) -> Call:
    return Call(path={"asset_id": await _stock(cell)}, json={"employee_id": cell.other})


async def give_back(cell: Cell) -> Call:
    return Call(path={"asset_id": (await _held(cell))["id"]}, json={})


async def dispose(cell: Cell) -> Call:
    body = {"date": "2024-06-30", "proceeds": "5.00", "reason": "Sold"}
    return Call(path={"asset_id": await _stock(cell)}, json=body)


PROBES: dict[str, Probe] = {
    **platform_probes(worker=WORKER),
    "GET /api/v1/categories": categories,
    "POST /api/v1/categories": create_category,
    "GET /api/v1/categories/{category_id}": category,
    "PATCH /api/v1/categories/{category_id}": rename_category,
    "DELETE /api/v1/categories/{category_id}": category,
    "GET /api/v1/maintenance/due": plain,
    "GET /api/v1/assets/{asset_id}/maintenance": held,
    "POST /api/v1/assets/{asset_id}/maintenance": open_maintenance,
    "POST /api/v1/assets/{asset_id}/maintenance/{log_id}/complete": complete_maintenance,
    "GET /api/v1/assets": list_assets,
    "POST /api/v1/assets": create_asset,
    "GET /api/v1/assets/summary": plain,
    "GET /api/v1/assets/export": plain,
    "POST /api/v1/assets/import": import_assets,
    "POST /api/v1/assets/bulk": bulk_retire,
    "GET /api/v1/assets/{asset_id}": held,
    "PATCH /api/v1/assets/{asset_id}": move,
    "DELETE /api/v1/assets/{asset_id}": stock,
    "POST /api/v1/assets/{asset_id}/assign": assign,
    "POST /api/v1/assets/{asset_id}/return": give_back,
    "GET /api/v1/assets/{asset_id}/history": held,
    "POST /api/v1/assets/{asset_id}/dispose": dispose,
    "GET /api/v1/assets/{asset_id}/depreciation": held,
    "GET /api/v1/assets/{asset_id}/book-value": held,
}


async def test_every_route_answers_every_role_as_the_permission_table_says(
    app: FastAPI, tokens: TokenFactory, staff: Staff
) -> None:
    people = (staff.alice["id"], staff.bob["id"])
    result = await run_matrix(app, policy=POLICY, tokens=tokens, probes=PROBES, people=people)

    print(f"\nasset-service RBAC matrix: {result.summary()}")
    assert result.ok, result.report()
    assert result.cells >= 30 * 5
