"""Benchmark: deep pages and batch look-ups of the employee service, as ratios from one run.

    uv run python bench/employee_lists.py [--rows 100000]

Creates a throw-away database (same rules as the tests), loads ``--rows`` employees with one
INSERT … SELECT, then times through the real HTTP API (ASGI, in process):

* a deep offset page (``offset`` near the end) against the keyset page at the same position
  (``cursor``): keyset paging should not grow with depth;
* one batch look-up of 500 ids (``?ids=``) against 500 single ``GET /employees/{id}`` calls:
  what the asset and invoice lists save by joining names in one call.

Prints medians and the ratios; exits non-zero if keyset is not faster than a deep offset or the
batch is not at least 10x faster than single calls, so a regression is visible.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

import psycopg

from employee_service.cli import ALEMBIC_DIR
from employee_service.core.config import EmployeeSettings
from employee_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import TokenFactory, api_client, temporary_database

SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 (throw-away)


def load(url: str, rows: int) -> None:
    with psycopg.connect(url) as connection:
        connection.execute(
            """
            INSERT INTO employee_schema.employees
                (first_name, last_name, email, hire_date, status, login_enabled)
            SELECT 'First' || n, 'Last' || lpad((n * 7919 %% %(rows)s)::text, 7, '0'),
                   'person' || n || '@bench.test', DATE '2020-01-01' + (n %% 2000),
                   'active', false
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"rows": rows},
        )
        connection.execute("ANALYZE employee_schema.employees")


async def median_seconds(action: Callable[[], Awaitable[None]], repeat: int) -> float:
    await action()  # warm up caches and the connection pool
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def run(rows: int, repeat: int) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with temporary_database("tb_bench") as url:
        migrations.upgrade(ALEMBIC_DIR, url)
        load(url, rows)
        settings = EmployeeSettings(database_url=url, environment="test", jwt_secret=SECRET)
        app = create_app(settings)
        tokens = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")
        headers = tokens.headers("admin", sub="bench")
        try:
            async with api_client(app) as client:
                depth = rows - 100

                async def page(**params: object) -> list[int]:
                    response = await client.get(
                        "/api/v1/employees",
                        params={"limit": 50, "sort": "last_name", **params},
                        headers=headers,
                    )
                    assert response.status_code == 200, response.text
                    return [item["id"] for item in response.json()["items"]]

                # The cursor after row depth-1, so that both pages start at row ``depth``.
                before = await client.get(
                    "/api/v1/employees",
                    params={"limit": 1, "offset": depth - 1, "sort": "last_name"},
                    headers=headers,
                )
                cursor = before.json()["next_cursor"]
                assert await page(offset=depth) == await page(cursor=cursor)

                async def offset_page() -> None:
                    await page(offset=depth)

                async def keyset_page() -> None:
                    await page(cursor=cursor)

                ids = list(range(1, rows, max(1, rows // 500)))[:500]

                async def batch() -> None:
                    response = await client.get(
                        "/api/v1/employees",
                        params={"ids": ",".join(map(str, ids))},
                        headers=headers,
                    )
                    assert len(response.json()["items"]) == len(ids)

                async def singles() -> None:
                    for employee_id in ids:
                        response = await client.get(
                            f"/api/v1/employees/{employee_id}", headers=headers
                        )
                        assert response.status_code == 200

                offset_s = await median_seconds(offset_page, repeat)
                keyset_s = await median_seconds(keyset_page, repeat)
                batch_s = await median_seconds(batch, repeat)
                singles_s = await median_seconds(singles, max(1, repeat // 3))
        finally:
            await app.state.database.dispose()

    print(f"employees loaded:            {rows}")
    print(f"offset page at {depth}:      {offset_s * 1000:8.1f} ms")
    print(f"keyset page at same place:   {keyset_s * 1000:8.1f} ms")
    print(f"batch look-up of {len(ids)} ids:  {batch_s * 1000:8.1f} ms")
    print(f"{len(ids)} single look-ups:          {singles_s * 1000:8.1f} ms")
    print(f"ratio offset/keyset:         {offset_s / keyset_s:8.1f}x")
    print(f"ratio singles/batch:         {singles_s / batch_s:8.1f}x")
    ok = offset_s > keyset_s and singles_s / batch_s >= 10
    print("result:", "ok" if ok else "REGRESSION")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    return asyncio.run(run(args.rows, args.repeat))


if __name__ == "__main__":
    sys.exit(main())
