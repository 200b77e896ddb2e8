"""Disposal: the gain or loss, the schedule cut at the disposal date, and a frozen asset after."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from .conftest import API, Factory, Staff, fields_of, money, today
from .expected import book_value_at, day_before, month_end, straight_line

ASSETS = f"{API}/assets"
COST, SALVAGE, LIFE = Decimal("10000.00"), Decimal("1000.00"), 36
PURCHASED = date(2024, 1, 15)


async def _asset(make: Factory, **fields: Any) -> dict[str, Any]:
    return await make.asset(
        purchase_date=PURCHASED.isoformat(),
        purchase_cost=str(COST),
        salvage_value=str(SALVAGE),
        useful_life_months=LIFE,
        depreciation_method="straight_line",
        **fields,
    )


async def test_disposing_records_the_gain_or_loss_against_the_book_value(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await _asset(make)
    original = straight_line(COST, SALVAGE, LIFE, PURCHASED)
    disposed_on = date(2025, 3, 10)
    proceeds = Decimal("7000.00")

    response = await client.post(
        f"{ASSETS}/{asset['id']}/dispose",
        json={"date": disposed_on.isoformat(), "proceeds": str(proceeds), "reason": "Sold"},
        headers=manager,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "disposed"
    assert body["disposal_date"] == disposed_on.isoformat()
    assert money(body["disposal_proceeds"]) == proceeds
    assert body["disposal_reason"] == "Sold"
    at_disposal = money(body["book_value_at_disposal"])
    # Somewhere between the book value at the end of February and at the end of March 2025
    # (whether March counts in full or in part), and exactly what the cut schedule ends on.
    end_feb = book_value_at(COST, original, date(2025, 2, 28))
    end_mar = book_value_at(COST, original, month_end(2025, 3))
    assert end_mar <= at_disposal <= end_feb
    assert money(body["gain_loss"]) == proceeds - at_disposal

    schedule = (await client.get(f"{ASSETS}/{asset['id']}/depreciation", headers=manager)).json()
    items = schedule["items"]
    assert items[-1]["period"] == "2025-03"
    assert items[-1]["period_end"] == disposed_on.isoformat()
    assert len(items) == 15  # January 2024 to March 2025
    assert schedule["total"] == 15
    assert money(items[-1]["book_value"]) == at_disposal
    assert [money(i["depreciation_amount"]) for i in items[:-1]] == [
        row.amount for row in original[:14]
    ]
    assert sum(money(i["depreciation_amount"]) for i in items) == COST - at_disposal

    # Before the disposal the book value is unchanged; after it the asset is worth nothing.
    mid = await client.get(
        f"{ASSETS}/{asset['id']}/book-value", params={"at": "2024-06-30"}, headers=manager
    )
    assert money(mid.json()["book_value"]) == book_value_at(COST, original, date(2024, 6, 30))
    for params in ({"at": (disposed_on + timedelta(days=1)).isoformat()}, {}):
        after = await client.get(
            f"{ASSETS}/{asset['id']}/book-value", params=params, headers=manager
        )
        assert after.status_code == 200, after.text
        assert after.json()["book_value"] == "0.00", params
    assert money((await make.get(asset))["book_value"]) == 0


async def test_selling_for_nothing_is_a_loss_of_the_whole_book_value(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await _asset(make)
    disposed = await make.dispose(asset, date="2024-08-31", proceeds=0, reason="Scrapped")
    expected = book_value_at(COST, straight_line(COST, SALVAGE, LIFE, PURCHASED), date(2024, 8, 31))
    # 2024-08-31 is a month end, so August counts in full either way.
    assert money(disposed["book_value_at_disposal"]) == expected
    assert money(disposed["gain_loss"]) == -expected
    assert money(disposed["disposal_proceeds"]) == 0


async def test_an_asset_can_be_disposed_of_on_its_purchase_date(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await _asset(make)
    disposed = await make.dispose(asset, date=PURCHASED.isoformat(), proceeds="9000.00")
    items = (await client.get(f"{ASSETS}/{asset['id']}/depreciation", headers=manager)).json()[
        "items"
    ]
    assert len(items) == 1
    assert items[0]["period_end"] == PURCHASED.isoformat()
    at_disposal = money(disposed["book_value_at_disposal"])
    assert money(disposed["gain_loss"]) == Decimal("9000.00") - at_disposal
    first_month = straight_line(COST, SALVAGE, LIFE, PURCHASED)[0].amount
    assert COST - first_month <= at_disposal <= COST


async def test_a_disposed_asset_cannot_change_any_more(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.dispose(await _asset(make), date="2024-12-15")

    again = await client.post(
        f"{ASSETS}/{asset['id']}/dispose",
        json={"date": "2024-12-20", "proceeds": 1, "reason": "Twice"},
        headers=manager,
    )
    assert again.status_code == 409, again.text
    for change in ({"name": "Renamed"}, {"purchase_cost": "1.00"}, {"status": "in_stock"}):
        response = await client.patch(f"{ASSETS}/{asset['id']}", json=change, headers=manager)
        assert response.status_code == 409, (change, response.text)
    assert (await client.delete(f"{ASSETS}/{asset['id']}", headers=manager)).status_code == 409
    assign = await client.post(
        f"{ASSETS}/{asset['id']}/assign", json={"employee_id": staff.alice["id"]}, headers=manager
    )
    assert assign.status_code == 409
    assert (await client.post(f"{ASSETS}/{asset['id']}/return", headers=manager)).status_code == 409
    after = await make.get(asset)
    assert after == asset
    assert after["status"] == "disposed"
    assert after["book_value"] == "0.00"


async def test_an_asset_in_use_must_come_back_before_it_is_disposed_of(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    held = await make.assign(await _asset(make), staff.bob)
    serviced = await _asset(make)
    await make.open_maintenance(serviced)
    for asset, status in ((held, "assigned"), (serviced, "in_maintenance")):
        response = await client.post(
            f"{ASSETS}/{asset['id']}/dispose",
            json={"date": "2024-12-31", "proceeds": 100, "reason": "Sold"},
            headers=manager,
        )
        assert response.status_code == 409, (status, response.text)
        assert (await make.get(asset))["status"] == status
    # A retired asset can be disposed of.
    retired = await _asset(make)
    await client.patch(f"{ASSETS}/{retired['id']}", json={"status": "retired"}, headers=manager)
    assert (await make.dispose(retired, date="2024-12-31"))["status"] == "disposed"


async def test_bad_disposals_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await _asset(make)
    base = {"date": "2024-12-31", "proceeds": "100.00", "reason": "Sold"}
    for change, field in (
        ({"date": day_before(PURCHASED).isoformat()}, "date"),
        ({"date": (today() + timedelta(days=1)).isoformat()}, "date"),
        ({"date": "2024-02-30"}, "date"),
        ({"proceeds": "-0.01"}, "proceeds"),
        ({"proceeds": "1.005"}, "proceeds"),
        ({"reason": "nul\x00"}, "reason"),
    ):
        response = await client.post(
            f"{ASSETS}/{asset['id']}/dispose", json={**base, **change}, headers=manager
        )
        assert fields_of(response) == [field], change
    for missing in ("date", "proceeds"):
        body = {k: v for k, v in base.items() if k != missing}
        response = await client.post(f"{ASSETS}/{asset['id']}/dispose", json=body, headers=manager)
        assert fields_of(response) == [missing]
    after = await make.get(asset)
    assert after["status"] == "in_stock"
    assert after["disposal_date"] is None
    schedule = (await client.get(f"{ASSETS}/{asset['id']}/depreciation", headers=manager)).json()
    assert len(schedule["items"]) == LIFE


async def test_disposing_after_the_useful_life_keeps_the_whole_schedule(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset(
        purchase_date="2023-01-10",
        purchase_cost="1400.00",
        salvage_value="100.00",
        useful_life_months=6,
        depreciation_method="straight_line",
    )
    disposed = await make.dispose(asset, date="2024-05-20", proceeds="250.00")

    assert money(disposed["book_value_at_disposal"]) == Decimal("100.00")
    assert money(disposed["gain_loss"]) == Decimal("150.00")
    items = (await client.get(f"{ASSETS}/{asset['id']}/depreciation", headers=manager)).json()[
        "items"
    ]
    expected = straight_line(Decimal("1400.00"), Decimal("100.00"), 6, date(2023, 1, 10))
    assert [(i["period"], money(i["depreciation_amount"])) for i in items] == [
        (row.period, row.amount) for row in expected
    ]
    assert sum(money(i["depreciation_amount"]) for i in items) == Decimal("1300.00")
