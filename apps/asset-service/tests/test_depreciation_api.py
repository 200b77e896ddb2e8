"""The depreciation schedule and book values, as the API shows them."""

import itertools
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest

from .conftest import API, Factory, fields_of, money, today
from .expected import add_months, book_value_at, month_end, straight_line

ASSETS = f"{API}/assets"


async def _schedule(client: httpx.AsyncClient, headers: dict[str, str], asset: dict[str, Any]):
    response = await client.get(f"{ASSETS}/{asset['id']}/depreciation", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _book_value(
    client: httpx.AsyncClient, headers: dict[str, str], asset: dict[str, Any], at: str | None
) -> httpx.Response:
    params = {"at": at} if at else {}
    return await client.get(f"{ASSETS}/{asset['id']}/book-value", params=params, headers=headers)


@pytest.mark.parametrize(
    ("cost", "salvage", "life"),
    [("10000.00", "1000.00", 7), ("1000.00", "0", 3), ("2399.99", "123.45", 36)],
)
async def test_a_straight_line_schedule_has_one_row_a_month_and_sums_exactly(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    cost: str,
    salvage: str,
    life: int,
) -> None:
    purchased = date(2024, 1, 15)
    asset = await make.asset(
        purchase_date=purchased.isoformat(),
        purchase_cost=cost,
        salvage_value=salvage,
        useful_life_months=life,
        depreciation_method="straight_line",
    )

    schedule = await _schedule(client, manager, asset)

    expected = straight_line(Decimal(cost), Decimal(salvage), life, purchased)
    assert schedule["asset_id"] == asset["id"]
    assert schedule["method"] == "straight_line"
    assert schedule["currency"] == "EUR"
    items = schedule["items"]
    assert schedule["total"] == len(items) == life
    assert [i["period"] for i in items] == [row.period for row in expected]
    assert [i["period_end"] for i in items] == [row.period_end.isoformat() for row in expected]
    for item in items:
        start = date.fromisoformat(item["period_start"])
        end = date.fromisoformat(item["period_end"])
        assert start <= end
        assert (start.year, start.month) == (end.year, end.month)
    assert [money(i["depreciation_amount"]) for i in items] == [row.amount for row in expected]
    assert [money(i["accumulated_depreciation"]) for i in items] == [
        row.accumulated for row in expected
    ]
    assert [money(i["book_value"]) for i in items] == [row.book_value for row in expected]
    assert sum(money(i["depreciation_amount"]) for i in items) == Decimal(cost) - Decimal(salvage)


@pytest.mark.parametrize(
    ("method", "rate", "cost", "salvage", "life"),
    [
        ("double_declining_balance", None, "5000.00", "500.00", 24),
        ("double_declining_balance", None, "1999.99", "0", 60),
        ("declining_balance", "40", "12000.00", "1500.00", 60),
        ("declining_balance", "25", "777.77", "77.77", 12),
        ("double_declining_balance", None, "100.00", "99.00", 5),
    ],
)
async def test_a_declining_schedule_never_goes_below_salvage_and_sums_exactly(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    method: str,
    rate: str | None,
    cost: str,
    salvage: str,
    life: int,
) -> None:
    fields: dict[str, Any] = {"depreciation_method": method}
    if rate:
        fields["declining_rate"] = rate
    asset = await make.asset(
        purchase_date="2023-11-30",
        purchase_cost=cost,
        salvage_value=salvage,
        useful_life_months=life,
        **fields,
    )

    schedule = await _schedule(client, manager, asset)

    items = schedule["items"]
    assert schedule["method"] == method
    assert len(items) == life
    cost_, salvage_ = Decimal(cost), Decimal(salvage)
    assert sum(money(i["depreciation_amount"]) for i in items) == cost_ - salvage_
    running = Decimal(0)
    for item in items:
        amount = money(item["depreciation_amount"])
        running += amount
        assert amount >= 0
        assert money(item["accumulated_depreciation"]) == running
        assert money(item["book_value"]) == cost_ - running
        assert money(item["book_value"]) >= salvage_
    assert money(items[-1]["book_value"]) == salvage_
    assert [i["period"] for i in items[:3]] == ["2023-11", "2023-12", "2024-01"]
    # The first month: the larger of the declining and the straight-line charge, capped at salvage.
    factor = Decimal(rate) / 100 / 12 if rate else Decimal(2) / life
    charge = max(cost_ * factor, (cost_ - salvage_) / life)
    first = min(charge, cost_ - salvage_).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert money(items[0]["depreciation_amount"]) == first
    # Declining charges never grow from one month to the next (the last absorbs rounding).
    amounts = [money(i["depreciation_amount"]) for i in items[:-1]]
    assert all(later <= earlier + Decimal("0.01") for earlier, later in itertools.pairwise(amounts))


async def test_a_zero_decimal_currency_depreciates_in_whole_units(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    purchased = date(2024, 5, 2)
    asset = await make.asset(
        purchase_date=purchased.isoformat(),
        purchase_cost="100000",
        salvage_value="0",
        currency="JPY",
        useful_life_months=7,
        depreciation_method="straight_line",
    )
    schedule = await _schedule(client, manager, asset)
    expected = straight_line(Decimal(100000), Decimal(0), 7, purchased, unit=Decimal(1))
    assert schedule["currency"] == "JPY"
    assert [money(i["depreciation_amount"]) for i in schedule["items"]] == [
        row.amount for row in expected
    ]
    assert expected[0].amount == Decimal(14286)


async def test_book_value_counts_a_month_from_its_period_end(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    purchased = date(2024, 1, 15)
    cost, salvage = Decimal("10000.00"), Decimal("1000.00")
    asset = await make.asset(
        purchase_date=purchased.isoformat(),
        purchase_cost=str(cost),
        salvage_value=str(salvage),
        useful_life_months=7,
        depreciation_method="straight_line",
    )
    rows = straight_line(cost, salvage, 7, purchased)

    for at in (
        "2024-01-15",  # the purchase date: nothing yet
        "2024-01-30",
        "2024-01-31",  # the first period_end
        "2024-02-28",
        "2024-02-29",  # a leap year's February ends on the 29th
        "2024-07-31",  # the last period_end
        "2031-01-01",
    ):
        response = await _book_value(client, manager, asset, at)
        assert response.status_code == 200, (at, response.text)
        body = response.json()
        expected = book_value_at(cost, rows, date.fromisoformat(at))
        assert body["asset_id"] == asset["id"]
        assert body["at"] == at
        assert body["currency"] == "EUR"
        assert money(body["book_value"]) == expected, at
        assert money(body["accumulated_depreciation"]) == cost - expected, at

    before = await _book_value(client, manager, asset, "2024-01-14")
    assert fields_of(before) == ["at"]
    assert fields_of(await _book_value(client, manager, asset, "2024-13-01")) == ["at"]


async def test_todays_book_value_is_on_the_asset_and_the_default_of_book_value(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    now = today()
    year, month = add_months(now.year, now.month, -14)
    purchased = date(year, month, 10)
    cost, salvage = Decimal("6000.00"), Decimal("600.00")
    asset = await make.asset(
        purchase_date=purchased.isoformat(),
        purchase_cost=str(cost),
        salvage_value=str(salvage),
        useful_life_months=48,
        depreciation_method="straight_line",
    )
    rows = straight_line(cost, salvage, 48, purchased)
    expected = book_value_at(cost, rows, now)
    assert cost > expected > salvage

    assert money(asset["book_value"]) == expected
    assert money(asset["accumulated_depreciation"]) == cost - expected
    default = await _book_value(client, manager, asset, None)
    assert default.status_code == 200, default.text
    assert default.json()["at"] == now.isoformat()
    assert money(default.json()["book_value"]) == expected
    # Listing shows the same figure.
    listed = await client.get(ASSETS, params={"q": asset["asset_tag"]}, headers=manager)
    assert [money(a["book_value"]) for a in listed.json()["items"]] == [expected]
    # The last day of the previous month counts that month; the day before does not.
    prev_year, prev_month = add_months(now.year, now.month, -1)
    last = month_end(prev_year, prev_month)
    eve = last - timedelta(days=1)
    at_end = money(
        (await _book_value(client, manager, asset, last.isoformat())).json()["book_value"]
    )
    at_eve = money(
        (await _book_value(client, manager, asset, eve.isoformat())).json()["book_value"]
    )
    assert at_end == book_value_at(cost, rows, last)
    assert at_eve == book_value_at(cost, rows, eve)
    assert at_eve > at_end


async def test_the_schedule_follows_every_change_of_its_inputs(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset(
        purchase_date="2024-01-15",
        purchase_cost="3000.00",
        salvage_value="0",
        useful_life_months=12,
        depreciation_method="straight_line",
    )
    path = f"{ASSETS}/{asset['id']}"
    for change, cost, salvage, life, purchased in (
        ({"purchase_cost": "3600.00"}, "3600.00", "0", 12, "2024-01-15"),
        ({"salvage_value": "360.00"}, "3600.00", "360.00", 12, "2024-01-15"),
        ({"useful_life_months": 9}, "3600.00", "360.00", 9, "2024-01-15"),
        ({"purchase_date": "2023-10-01"}, "3600.00", "360.00", 9, "2023-10-01"),
    ):
        response = await client.patch(path, json=change, headers=manager)
        assert response.status_code == 200, (change, response.text)
        schedule = await _schedule(client, manager, asset)
        expected = straight_line(
            Decimal(cost), Decimal(salvage), life, date.fromisoformat(purchased)
        )
        assert [(i["period"], money(i["depreciation_amount"])) for i in schedule["items"]] == [
            (row.period, row.amount) for row in expected
        ], change

    switched = await client.patch(
        path,
        json={"depreciation_method": "declining_balance", "declining_rate": 30},
        headers=manager,
    )
    assert switched.status_code == 200, switched.text
    schedule = await _schedule(client, manager, asset)
    assert schedule["method"] == "declining_balance"
    first = (Decimal("3600.00") * Decimal("0.30") / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
    sl_first = (Decimal("3240.00") / 9).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert money(schedule["items"][0]["depreciation_amount"]) == max(first, sl_first)
    assert sum(money(i["depreciation_amount"]) for i in schedule["items"]) == Decimal("3240.00")

    no_rate = await client.patch(path, json={"declining_rate": None}, headers=manager)
    assert fields_of(no_rate) == ["declining_rate"]
    back = await client.patch(path, json={"depreciation_method": "straight_line"}, headers=manager)
    # Straight line refuses a rate: either the switch drops it or the request must drop it.
    if back.status_code == 200:
        assert back.json()["declining_rate"] is None
    else:
        assert fields_of(back) == ["declining_rate"]
    both = await client.patch(
        path,
        json={"depreciation_method": "straight_line", "declining_rate": None},
        headers=manager,
    )
    assert both.status_code == 200, both.text
    assert (await _schedule(client, manager, asset))["method"] == "straight_line"


@pytest.mark.parametrize(
    ("method", "rate", "cost", "salvage", "life"),
    [
        ("straight_line", None, "100.00", "0", 600),  # 0.17 a month would overshoot
        ("straight_line", None, "1.00", "0", 600),  # 0.00 a month, the last takes it all
        ("straight_line", None, "0", "0", 12),
        ("straight_line", None, "999999999999.99", "0.99", 600),
        ("straight_line", None, "500.00", "500.00", 3),  # nothing to depreciate
        ("double_declining_balance", None, "750.00", "0", 1),
        ("double_declining_balance", None, "0.05", "0", 7),
        ("declining_balance", "100", "1200.00", "0", 24),
        ("declining_balance", "0.01", "1200.00", "100.00", 600),
    ],
)
async def test_extreme_schedules_keep_every_rule(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    method: str,
    rate: str | None,
    cost: str,
    salvage: str,
    life: int,
) -> None:
    fields: dict[str, Any] = {"depreciation_method": method}
    if rate:
        fields["declining_rate"] = rate
    asset = await make.asset(
        purchase_date="1990-02-28",
        purchase_cost=cost,
        salvage_value=salvage,
        useful_life_months=life,
        **fields,
    )

    items = (await _schedule(client, manager, asset))["items"]

    cost_, salvage_ = Decimal(cost), Decimal(salvage)
    assert len(items) == life
    amounts = [money(i["depreciation_amount"]) for i in items]
    assert sum(amounts) == cost_ - salvage_
    assert all(amount >= 0 for amount in amounts), amounts
    assert all(money(i["book_value"]) >= salvage_ for i in items)
    assert money(items[-1]["book_value"]) == salvage_
    assert items[0]["period"] == "1990-02"
    assert items[0]["period_end"] == "1990-02-28"
    year, month = add_months(1990, 2, life - 1)
    assert items[-1]["period"] == f"{year:04d}-{month:02d}"
    far = await _book_value(client, manager, asset, "2200-12-31")
    assert far.status_code == 200, far.text
    assert money(far.json()["book_value"]) == salvage_
