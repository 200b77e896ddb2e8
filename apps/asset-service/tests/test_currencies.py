"""Currencies without minor units (JPY): no fractions accepted, none shown; EUR keeps its cents.

Every amount of an asset is in the asset's currency and written with its decimals: the asset, its
schedule, its book value, its maintenance costs, and the summary's totals per currency.
"""

import re
from typing import Any

import httpx
import pytest

from .conftest import API, Factory, fields_of, today

ASSETS = f"{API}/assets"
WHOLE = re.compile(r"^-?\d+$")
CENTS = re.compile(r"^-?\d+\.\d{2}$")
MONEY_FIELDS = (
    "purchase_cost",
    "salvage_value",
    "book_value",
    "accumulated_depreciation",
    "disposal_proceeds",
    "book_value_at_disposal",
    "gain_loss",
)


async def test_yen_maintenance_costs_with_fractions_are_refused(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset(purchase_cost="100000", salvage_value="0", currency="JPY")
    body = {"kind": "corrective", "description": "Screen", "cost": "5000.50"}
    opened = await client.post(f"{ASSETS}/{asset['id']}/maintenance", json=body, headers=manager)
    assert fields_of(opened) == ["cost"]

    log = await make.open_maintenance(asset, cost="5000")
    assert log["cost"] == "5000"
    completed = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{log['id']}/complete",
        json={"cost": "7000.25"},
        headers=manager,
    )
    assert fields_of(completed) == ["cost"]
    completed = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{log['id']}/complete",
        json={"cost": "7000"},
        headers=manager,
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["cost"] == "7000"


async def test_yen_costs_with_fractions_are_refused(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()
    body = {
        "name": "Yen laptop",
        "category_id": category["id"],
        "purchase_date": "2024-01-15",
        "currency": "JPY",
    }
    for change, field in (
        ({"purchase_cost": "100000.50"}, "purchase_cost"),
        ({"purchase_cost": "100000", "salvage_value": "0.5"}, "salvage_value"),
        ({"purchase_cost": "1_000"}, "purchase_cost"),  # and no digit grouping, in any currency
    ):
        response = await client.post(ASSETS, json={**body, **change}, headers=manager)
        assert fields_of(response) == [field], change


def _check_amounts(document: dict[str, Any], pattern: re.Pattern[str]) -> None:
    for name in MONEY_FIELDS:
        if document.get(name) is not None:
            assert pattern.match(document[name]), (name, document[name])


@pytest.mark.parametrize(
    ("currency", "cost", "salvage", "monthly", "pattern"),
    [
        ("JPY", "1000000", "100000", "7500", WHOLE),
        ("USD", "1000000.00", "100000.00", "7500.00", CENTS),
    ],
)
async def test_amounts_are_shown_with_the_decimals_of_the_asset_s_currency(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    currency: str,
    cost: str,
    salvage: str,
    monthly: str,
    pattern: re.Pattern[str],
) -> None:
    fields = {
        "purchase_date": "2024-05-02",
        "purchase_cost": cost,
        "salvage_value": salvage,
        "currency": currency,
        "useful_life_months": 120,
        "depreciation_method": "straight_line",
    }
    asset = await make.asset(**fields)
    assert (asset["purchase_cost"], asset["salvage_value"]) == (cost, salvage)
    _check_amounts(asset, pattern)
    listed = await client.get(ASSETS, params={"q": asset["asset_tag"]}, headers=manager)
    [row] = listed.json()["items"]
    assert row["purchase_cost"] == cost
    _check_amounts(row, pattern)

    schedule = await client.get(f"{ASSETS}/{asset['id']}/depreciation", headers=manager)
    assert schedule.status_code == 200, schedule.text
    first = schedule.json()["items"][0]
    assert first["depreciation_amount"] == first["accumulated_depreciation"] == monthly
    for item in schedule.json()["items"]:
        for name in ("depreciation_amount", "accumulated_depreciation", "book_value"):
            assert pattern.match(item[name]), (name, item[name])

    at = await client.get(
        f"{ASSETS}/{asset['id']}/book-value", params={"at": "2024-05-31"}, headers=manager
    )
    assert at.status_code == 200, at.text
    assert at.json()["accumulated_depreciation"] == monthly
    assert pattern.match(at.json()["book_value"])

    summary = await client.get(f"{ASSETS}/summary", headers=manager)
    assert summary.status_code == 200, summary.text
    assert summary.json()["total_purchase_cost"][currency] == cost
    assert pattern.match(summary.json()["total_book_value"][currency])

    log = await make.open_maintenance(asset, cost="3000")
    assert pattern.match(log["cost"])
    logs = await client.get(f"{ASSETS}/{asset['id']}/maintenance", headers=manager)
    assert [pattern.match(item["cost"]) is not None for item in logs.json()["items"]] == [True]
    done = await client.post(
        f"{ASSETS}/{asset['id']}/maintenance/{log['id']}/complete", json={}, headers=manager
    )
    assert done.status_code == 200, done.text

    disposed = await make.dispose(asset, date=today().isoformat(), proceeds="500000")
    assert disposed["disposal_proceeds"] == ("500000" if pattern is WHOLE else "500000.00")
    _check_amounts(disposed, pattern)
