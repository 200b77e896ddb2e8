"""Benchmark: asset list pages on a small and a large register, as ratios from one run.

    uv run python bench/asset_lists.py [--rows 1000000] [--small 10000]

Creates two throw-away databases (same rules as the tests), loads ``--small`` and ``--rows``
assets with one INSERT … SELECT each (12 months of schedule for the first 20,000 assets, so book
values are computed from real rows), then times the same pages through the real HTTP API (ASGI,
in process) on both:

* the first keyset page of the default list, of a status filter, of a category filter, of an
  employee's assets, and of a text search (``q``);
* a deep keyset page (a cursor near the end of the register).

A page should cost about the same whatever the register's size: the script prints each page's
median on both registers and their ratio (large / small), and exits non-zero when a page is more
than 5x slower on the large register. Offset pages also count the total (``total``), which grows
with the table: that count is timed separately, so its cost is visible rather than hidden.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg

from asset_service.cli import ALEMBIC_DIR
from asset_service.core.config import AssetSettings
from asset_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import TokenFactory, api_client, temporary_database

SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 (throw-away)
MAX_RATIO = 5.0


def load(url: str, rows: int) -> None:
    with psycopg.connect(url) as connection:
        connection.execute(
            """
            INSERT INTO asset_schema.asset_categories
                (name, code, default_useful_life_months, default_depreciation_method,
                 default_salvage_percent)
            SELECT 'Category ' || n, 'C' || n, 36, 'straight_line', 0
            FROM generate_series(1, 20) AS n
            """
        )
        connection.execute(
            """
            INSERT INTO asset_schema.assets
                (asset_tag, name, serial_number, category_id, status, purchase_date,
                 purchase_cost, salvage_value, currency, useful_life_months,
                 depreciation_method, assigned_employee_id, created_by, updated_by)
            SELECT 'AST-' || lpad(n::text, 7, '0'), 'Asset ' || md5(n::text),
                   'SN' || (n::bigint * 7919 %% 1000003), 1 + n %% 20,
                   CASE WHEN n %% 10 < 4 THEN 'assigned' ELSE 'in_stock' END,
                   DATE '2020-01-01' + (n %% 1500), 1200.00, 0, 'EUR', 36, 'straight_line',
                   CASE WHEN n %% 10 < 4 THEN 1 + n %% greatest(%(rows)s / 100, 1) END, 'bench', 'bench'
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"rows": rows},
        )
        connection.execute(
            """
            INSERT INTO asset_schema.depreciation_schedules
                (asset_id, period_starts, period_ends, depreciation_amounts,
                 accumulated_depreciation, book_values)
            SELECT a.id, array_agg(d::date ORDER BY m),
                   array_agg((d + interval '1 month - 1 day')::date ORDER BY m),
                   array_agg(33.33 ORDER BY m), array_agg(33.33 * m ORDER BY m),
                   array_agg(1200.00 - 33.33 * m ORDER BY m)
            FROM asset_schema.assets a,
                 generate_series(1, 12) AS m,
                 LATERAL (SELECT date_trunc('month', DATE '2024-01-01')
                                 + (m - 1) * interval '1 month' AS d) AS p
            WHERE a.id <= 20000
            GROUP BY a.id
            """
        )
        connection.execute("ANALYZE")


async def median_seconds(action: Callable[[], Awaitable[Any]], repeat: int) -> float:
    await action()  # warm up caches and the connection pool
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def measure(rows: int, repeat: int) -> dict[str, float]:
    timings: dict[str, float] = {}
    with temporary_database("tb_bench") as url:
        migrations.upgrade(ALEMBIC_DIR, url)
        load(url, rows)
        settings = AssetSettings(database_url=url, environment="test", jwt_secret=SECRET)
        app = create_app(settings)
        headers = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services").headers(
            "admin", sub="bench"
        )
        try:
            async with api_client(app) as client:

                async def page(**params: object) -> dict[str, Any]:
                    response = await client.get(
                        "/api/v1/assets", params={"limit": 50, **params}, headers=headers
                    )
                    assert response.status_code == 200, response.text
                    return response.json()

                async def cursor_of(**params: object) -> str:
                    """A cursor into the list of ``params`` (after its first row)."""
                    cursor = (await page(limit=1, offset=0, **params))["next_cursor"]
                    assert cursor, params
                    return str(cursor)

                deep = (await page(limit=1, offset=rows - 60))["next_cursor"]
                lists: dict[str, dict[str, object]] = {
                    "first page (sort asset_tag)": {},
                    "status=assigned": {"status": "assigned"},
                    "category_id=7": {"category_id": 7},
                    "assigned_employee_id=42": {"assigned_employee_id": 42},
                    "q=SN12 (text search)": {"q": "SN12"},
                    "sort=-purchase_date": {"sort": "-purchase_date"},
                }
                pages = {
                    name: {**params, "cursor": await cursor_of(**params)}
                    for name, params in lists.items()
                }
                pages["deep page (cursor near the end)"] = {"cursor": deep}
                pages["offset page with total"] = {"offset": 0}
                for name, params in pages.items():

                    async def run_page(params: dict[str, object] = params) -> None:
                        await page(**params)

                    timings[name] = await median_seconds(run_page, repeat)
        finally:
            await app.state.database.dispose()
    return timings


async def run(rows: int, small: int, repeat: int) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    small_t = await measure(small, repeat)
    large_t = await measure(rows, repeat)
    print(f"{'page':36} {small:>10} rows {rows:>10} rows   ratio")
    ok = True
    for name in small_t:
        ratio = large_t[name] / small_t[name]
        counted = name == "offset page with total"  # counts every row: expected to grow
        flag = "" if counted or ratio <= MAX_RATIO else "  <-- REGRESSION"
        ok = ok and (counted or ratio <= MAX_RATIO)
        print(
            f"{name:36} {small_t[name] * 1000:11.1f} ms {large_t[name] * 1000:11.1f} ms"
            f" {ratio:7.1f}x{flag}"
        )
    print("result:", "ok" if ok else "REGRESSION")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    return asyncio.run(run(args.rows, args.small, args.repeat))


if __name__ == "__main__":
    sys.exit(main())
