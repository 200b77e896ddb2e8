"""Case: CSV import of ``sizes.csv_rows`` assets through the asset service's API.

The service takes at most ``csv_io.MAX_ROWS`` rows (10,000) and 5 MB per file, all or none, so
the rows go in files of that many, one after the other, as a user importing a large register
would. The figure is the wall time from the first upload to the last answer; every file must
answer 201 with all its rows imported. Reported beside it, with no target: how long after the
last answer the dashboard's read model held every imported asset (their events relayed and
applied; the workers do that work while the next files are imported, on the same cores).
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import httpx
import psycopg

from .cases import Bench, Case, Result, Target

FILE_ROWS = 10_000  # asset_service.services.csv_io.MAX_ROWS
LIMIT_SECONDS_PER_100K = 20.0
CATCH_UP_TIMEOUT_SECONDS = 300.0
DASHBOARD_ASSETS = "SELECT count(*) FROM dashboard_schema.assets"


def _dashboard_assets(connection: psycopg.Connection[Any]) -> int:
    row = connection.execute(DASHBOARD_ASSETS).fetchone()
    return int(row[0]) if row else 0


def _caught_up_after(connection: psycopg.Connection[Any], expected: int) -> float | None:
    """Seconds until the dashboard holds ``expected`` assets; None if it does not in time.
    ``connection`` is in autocommit: each count sees what was committed since the last."""
    started = time.perf_counter()
    while time.perf_counter() - started < CATCH_UP_TIMEOUT_SECONDS:
        if _dashboard_assets(connection) >= expected:
            return time.perf_counter() - started
        time.sleep(0.2)
    return None


def _file(start: int, rows: int, category: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "serial_number", "category_code", "purchase_date", "purchase_cost"])
    for n in range(start, start + rows):
        writer.writerow([f"Imported asset {n}", f"IMP{n:08d}", category, "2024-03-01", "950.00"])
    return out.getvalue().encode()


def csv_import(bench: Bench) -> list[Result]:
    total = bench.sizes.csv_rows
    with psycopg.connect(bench.database_url) as connection:
        row = connection.execute(
            "SELECT code FROM asset_schema.asset_categories ORDER BY id LIMIT 1"
        ).fetchone()
    if row is None:
        raise RuntimeError("no asset category to import into")
    files = [
        _file(start, min(FILE_ROWS, total - start), str(row[0]))
        for start in range(0, total, FILE_ROWS)
    ]
    imported = 0
    errors = 0
    with psycopg.connect(bench.database_url, autocommit=True) as counter:
        dashboard_before = _dashboard_assets(counter)
        with httpx.Client(
            base_url=bench.services["asset-service"], headers=bench.headers("admin"), timeout=300
        ) as client:
            started = time.perf_counter()
            for n, content in enumerate(files):
                answer = client.post(
                    "/api/v1/assets/import",
                    files={"file": (f"assets-{n}.csv", content, "text/csv")},
                )
                if answer.status_code == 201:
                    imported += int(answer.json()["imported"])
                else:
                    errors += 1
                    print(f"bench: import file {n}: {answer.status_code} {answer.text[:300]}")
            seconds = time.perf_counter() - started
        caught_up = _caught_up_after(counter, dashboard_before + imported)
    figures = {
        "seconds": round(seconds, 2),
        "files": len(files),
        "rows/s": round(imported / seconds),
    }
    if caught_up is None:
        errors += 1
        print(
            f"bench: the dashboard did not hold the imported assets {CATCH_UP_TIMEOUT_SECONDS} s on"
        )
    else:
        figures["dashboard caught up after (s)"] = round(caught_up, 1)
    limit = LIMIT_SECONDS_PER_100K * total / 100_000
    return [
        Result(
            f"CSV import of {total:,} assets",
            errors=errors + (total - imported if not errors else 0),
            figures=figures,
            targets=[Target("CSV import time (20 s per 100k rows)", seconds, limit, "<", " s")],
        )
    ]


CASES = [Case("CSV import", csv_import)]
