"""COPY-based seeding of the asset register (with depreciation schedules) and the employees.

Rows are generated in Python as COPY text and streamed in chunks through psycopg's
``cursor.copy()``; each function returns ``{table: rows}`` and run.py times it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg

CHUNK = 20_000
CATEGORIES = 20
# A realistic share: about one asset in five has been depreciated through the system (12 months
# of schedule rows each); the others are too new or were imported without their history.
SCHEDULED_EVERY = 5
SCHEDULE_MONTHS = 12
ASSIGNED_SHARE = 4  # in 10 assets are assigned to an employee
TAG_PREFIX = "BN-"  # apart from the demo data's tags


def _copy(
    connection: psycopg.Connection[Any], table: str, columns: str, chunks: Iterator[str]
) -> None:
    """COPY ``chunks`` into ``table``, the way a bulk load is done: its plain indexes and foreign
    keys are dropped first and put back after — one sort per index instead of a million random
    b-tree inserts, one join to validate a foreign key instead of a trigger per row. Primary key,
    unique and check constraints stay, so they are checked as the rows arrive."""
    schema, name = table.split(".")
    indexes = connection.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = %s AND i.tablename = %s
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conname = i.indexname AND c.connamespace = %s::regnamespace)
        """,
        (schema, name, schema),
    ).fetchall()
    foreign_keys = connection.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f'",
        (table,),
    ).fetchall()
    for key_name, _ in foreign_keys:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{key_name}"')
    for index_name, _ in indexes:
        connection.execute(f'DROP INDEX "{schema}"."{index_name}"')
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for chunk in chunks:
            copy.write(chunk)
    connection.execute("SET maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        connection.execute(definition)
    for key_name, definition in foreign_keys:
        connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{key_name}" {definition}')


def seed_employees(connection: psycopg.Connection[Any], rows: int) -> tuple[int, int]:
    """``rows`` active employees without logins; returns the (first, last) id given to them."""

    def chunks() -> Iterator[str]:
        start = dt.date(2015, 1, 1).toordinal()
        for base in range(0, rows, CHUNK):
            yield "".join(
                f"First{n}\tLast{n * 7919 % rows:07d}\tbench{n}@bench.test\t"
                f"{dt.date.fromordinal(start + n % 3000).isoformat()}\tactive\tf\n"
                for n in range(base + 1, min(base + CHUNK, rows) + 1)
            )

    before = connection.execute("SELECT coalesce(max(id), 0) FROM employee_schema.employees")
    first = int(before.fetchone()[0]) + 1  # type: ignore[index]
    _copy(
        connection,
        "employee_schema.employees",
        "first_name, last_name, email, hire_date, status, login_enabled",
        chunks(),
    )
    last = connection.execute("SELECT max(id) FROM employee_schema.employees").fetchone()[0]  # type: ignore[index]
    connection.commit()
    return first, int(last)


def seed_assets(
    connection: psycopg.Connection[Any], rows: int, *, employees: tuple[int, int] | None
) -> dict[str, int]:
    """``rows`` assets in 20 categories (40 % assigned to ``employees``), and 12 months of
    depreciation schedule for one asset in ``SCHEDULED_EVERY``."""
    categories = connection.execute(
        """
        INSERT INTO asset_schema.asset_categories
            (name, code, default_useful_life_months, default_depreciation_method,
             default_salvage_percent)
        SELECT 'Bench category ' || n, 'BC' || n, 36, 'straight_line', 0
        FROM generate_series(1, %(n)s) AS n
        RETURNING id
        """,
        {"n": CATEGORIES},
    ).fetchall()
    category_ids = [int(row[0]) for row in categories]
    first_employee, last_employee = employees or (0, 0)
    span = last_employee - first_employee + 1 if employees else 0
    start = dt.date(2020, 1, 1).toordinal()

    def asset_chunks() -> Iterator[str]:
        for base in range(0, rows, CHUNK):
            lines = []
            for n in range(base + 1, min(base + CHUNK, rows) + 1):
                assigned = span and n % 10 < ASSIGNED_SHARE
                lines.append(
                    f"{TAG_PREFIX}{n:07d}\tAsset {n:x}{n * 2654435761 % 2**32:08x}\t"
                    f"SN{n * 7919 % 1000003}\t{category_ids[n % CATEGORIES]}\t"
                    f"{'assigned' if assigned else 'in_stock'}\t"
                    f"{dt.date.fromordinal(start + n % 1500).isoformat()}\t1200.00\t0\tEUR\t36\t"
                    f"straight_line\t"
                    f"{first_employee + n % span if assigned else chr(92) + 'N'}\tbench\tbench\n"
                )
            yield "".join(lines)

    before = connection.execute("SELECT coalesce(max(id), 0) FROM asset_schema.assets")
    first_asset = int(before.fetchone()[0]) + 1  # type: ignore[index]
    _copy(
        connection,
        "asset_schema.assets",
        "asset_tag, name, serial_number, category_id, status, purchase_date, purchase_cost, "
        "salvage_value, currency, useful_life_months, depreciation_method, "
        "assigned_employee_id, created_by, updated_by",
        asset_chunks(),
    )
    connection.commit()
    months = [
        (
            dt.date(2024, m, 1).isoformat(),
            (dt.date(2024, m + 1, 1) - dt.timedelta(days=1)).isoformat(),
        )
        if m < 12
        else ("2024-12-01", "2024-12-31")
        for m in range(1, SCHEDULE_MONTHS + 1)
    ]
    # One row per asset: the months as arrays (see asset_service.models.DepreciationSchedule).
    tail = (
        "\t"
        + "\t".join(
            "{" + ",".join(values) + "}"
            for values in (
                [begin for begin, _ in months],
                [end for _, end in months],
                ["33.33"] * len(months),
                [f"{33.33 * m:.2f}" for m in range(1, len(months) + 1)],
                [f"{1200 - 33.33 * m:.2f}" for m in range(1, len(months) + 1)],
            )
        )
        + "\n"
    )
    scheduled = list(range(first_asset, first_asset + rows, SCHEDULED_EVERY))

    def schedule_chunks() -> Iterator[str]:
        for i in range(0, len(scheduled), CHUNK):
            yield "".join(f"{asset_id}{tail}" for asset_id in scheduled[i : i + CHUNK])

    _copy(
        connection,
        "asset_schema.depreciation_schedules",
        "asset_id, period_starts, period_ends, depreciation_amounts, accumulated_depreciation, "
        "book_values",
        schedule_chunks(),
    )
    connection.commit()
    return {
        "asset_schema.assets": rows,
        "asset_schema.depreciation_schedules": len(scheduled),
    }


def analyze(connection: psycopg.Connection[Any]) -> None:
    """VACUUM (ANALYZE) of the tables seeded by COPY, then ANALYZE of the rest: the cases then
    run on tables in their steady state (hint bits set, a visibility map), not racing the
    autovacuum that a million fresh rows set off at some moment of some case."""
    connection.commit()
    autocommit = connection.autocommit
    connection.autocommit = True  # VACUUM cannot run inside a transaction
    try:
        connection.execute(
            "VACUUM (ANALYZE) asset_schema.assets, asset_schema.depreciation_schedules,"
            " employee_schema.employees"
        )
        connection.execute("ANALYZE")
    finally:
        connection.autocommit = autocommit
