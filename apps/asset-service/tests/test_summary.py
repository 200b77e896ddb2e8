"""The summary: counts by status and category, money totals per currency of assets still held."""

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import httpx

from .conftest import API, STATUSES, Factory, Staff, money

SUMMARY = f"{API}/assets/summary"


async def test_an_empty_register_still_lists_every_status(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    response = await client.get(SUMMARY, headers=manager)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total_assets"] == 0
    assert body["by_status"] == dict.fromkeys(STATUSES, 0)
    assert all(entry["count"] == 0 for entry in body["by_category"])
    assert all(money(v) == 0 for v in body["total_purchase_cost"].values())
    assert all(money(v) == 0 for v in body["total_book_value"].values())


async def test_the_summary_counts_everything_and_values_what_is_still_held(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    laptops = await make.category(name="Laptops", code="LAPS")
    vans = await make.category(name="Vans", code="VANS")
    await make.category(name="Unused", code="UNUSED")
    assets = [
        await make.asset(laptops, purchase_cost="1500.00", purchase_date="2025-01-10"),
        await make.asset(laptops, purchase_cost="2100.50", purchase_date="2023-05-02"),
        await make.asset(laptops, purchase_cost="999.99", currency="USD"),
        await make.asset(vans, purchase_cost="30000.00", useful_life_months=120),
        await make.asset(vans, purchase_cost="18000.00", currency="USD", useful_life_months=96),
        await make.asset(vans, purchase_cost="250000", currency="JPY"),
    ]
    await make.assign(assets[1], staff.alice)
    await make.open_maintenance(assets[2])
    await client.patch(
        f"{API}/assets/{assets[3]['id']}", json={"status": "retired"}, headers=manager
    )
    await make.dispose(assets[4], date="2025-01-31", proceeds="12000")
    current = [await make.get(asset) for asset in assets]

    response = await client.get(SUMMARY, headers=manager)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total_assets"] == len(current)
    statuses = Counter(a["status"] for a in current)
    assert body["by_status"] == {status: statuses[status] for status in STATUSES}
    assert body["by_status"]["disposed"] == 1
    assert body["by_status"]["in_stock"] == 2
    counts = {
        entry["category_id"]: (entry["name"], entry["count"])
        for entry in body["by_category"]
        if entry["count"]
    }
    assert counts == {laptops["id"]: ("Laptops", 3), vans["id"]: ("Vans", 3)}

    held = [a for a in current if a["status"] != "disposed"]
    cost: dict[str, Decimal] = defaultdict(Decimal)
    book: dict[str, Decimal] = defaultdict(Decimal)
    for asset in held:
        cost[asset["currency"]] += money(asset["purchase_cost"])
        book[asset["currency"]] += money(asset["book_value"])
    assert {k: money(v) for k, v in body["total_purchase_cost"].items() if money(v)} == cost
    assert {k: money(v) for k, v in body["total_book_value"].items() if money(v)} == book
    # The disposed USD van is left out of the money: only the USD laptop is counted.
    assert money(body["total_purchase_cost"]["USD"]) == Decimal("999.99")


async def test_summary_is_not_for_employees(
    client: httpx.AsyncClient, tokens: Any, staff: Staff
) -> None:
    mine = tokens.headers("employee", employee_id=staff.alice["id"])
    response = await client.get(SUMMARY, headers=mine)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
