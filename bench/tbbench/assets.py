"""Cases: the asset list against its bare ceiling, a deep keyset page (large vs small register),
and the employee batch look-up of 50 ids."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

from .cases import Bench, Case, Result, Target
from .seed import seed_assets

BENCH_DIR = Path(__file__).resolve().parents[1]
LIST_LIMIT = 50
CEILING_SHARE = 0.60  # the asset list keeps at least this share of the ceiling's req/s
LIST_P99_MS = 50.0
DEEP_PAGE_GROWTH = 1.5  # p50 on the large register <= 1.5 x p50 on the small one
BATCH_IDS = 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(argv: list[str], env: Mapping[str, str], ready_url: str) -> Iterator[int]:
    """Run a server process until the block ends; yields its pid once ``ready_url`` answers."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
    process = subprocess.Popen(  # noqa: S603 (our own commands)
        argv, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=BENCH_DIR.parent
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{argv[0]} exited: {log.read().decode()[-2000:]}")
            try:
                if httpx.get(ready_url, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{argv} was not ready at {ready_url}")
            time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _program(name: str) -> str:
    """The console script installed beside this Python (the workspace's .venv/bin)."""
    return str(Path(sys.executable).with_name(name))


def ceiling_vs_list(bench: Bench) -> list[Result]:
    from .ceiling import SQL_FILE_VARIABLE, capture_asset_list_sql

    headers = bench.headers("admin")
    # Kept beside the results, so what the ceiling ran can be read.
    sql_file = BENCH_DIR / "results" / "ceiling-sql.json"
    sql_file.parent.mkdir(parents=True, exist_ok=True)
    statements = capture_asset_list_sql(bench.database_url, bench.facts["jwt_secret"], sql_file)
    port = free_port()
    env = {
        "DATABASE_URL": bench.database_url,
        SQL_FILE_VARIABLE: str(sql_file),
        "PYTHONPATH": str(BENCH_DIR),
    }
    ceiling_url = f"http://127.0.0.1:{port}/assets"
    with served([sys.executable, "-m", "tbbench.ceiling", "--port", str(port)], env, ceiling_url):
        ceiling = bench.load(ceiling_url)
    service = bench.load(
        f"{bench.services['asset-service']}/api/v1/assets?limit={LIST_LIMIT}", headers=headers
    )
    share = service.req_per_s / ceiling.req_per_s if ceiling.req_per_s else 0.0
    return [
        Result.of_load(
            "bare ceiling (FastAPI+asyncpg, same SQL)",
            ceiling,
            figures={"statements": statements},
        ),
        Result.of_load(
            f"asset list ({LIST_LIMIT} rows)",
            service,
            figures={"share of ceiling": round(share, 3)},
            targets=[
                Target("asset list / ceiling req/s", share, CEILING_SHARE, ">="),
                Target("asset list p99", service.p99_ms, LIST_P99_MS, "<", " ms"),
            ],
        ),
    ]


def _deep_cursor(base: str, headers: dict[str, str], rows: int) -> str:
    answer = httpx.get(
        f"{base}/api/v1/assets",
        params={"limit": 1, "offset": max(rows - 60, 0)},
        headers=headers,
        timeout=120,
    )
    answer.raise_for_status()
    cursor = answer.json()["next_cursor"]
    assert cursor, "no cursor near the end of the register"
    return str(cursor)


def deep_keyset_page(bench: Bench) -> list[Result]:
    """A keyset page near the end of the seeded register, against the same page of a small
    register served by a second ``asset-service serve`` on a database of its own."""
    from tb_platform.testing import temporary_database

    headers = bench.headers("admin")
    large_base = bench.services["asset-service"]
    large = bench.load(
        f"{large_base}/api/v1/assets?limit={LIST_LIMIT}&cursor="
        + _deep_cursor(large_base, headers, bench.facts["assets"]),
        headers=headers,
    )
    small_rows = bench.sizes.small_assets
    with temporary_database("tb_bench_small") as url:
        subprocess.run(  # noqa: S603 (our own command)
            [_program("asset-service"), "migrate"],
            env={**os.environ, "DATABASE_URL": url, "JWT_SECRET": bench.facts["jwt_secret"]},
            check=True,
            capture_output=True,
        )
        with psycopg.connect(url) as connection:
            seed_assets(connection, small_rows, employees=bench.facts.get("employee_ids"))
            connection.execute("ANALYZE")
            connection.commit()
        port = free_port()
        env = {
            "DATABASE_URL": url,
            "JWT_SECRET": bench.facts["jwt_secret"],
            "REDIS_URL": bench.facts.get("redis_url", ""),
        }
        small_base = f"http://127.0.0.1:{port}"
        with served(
            [_program("asset-service"), "serve", "--port", str(port)], env, small_base + "/ready"
        ):
            small = bench.load(
                f"{small_base}/api/v1/assets?limit={LIST_LIMIT}&cursor="
                + _deep_cursor(small_base, headers, small_rows),
                headers=headers,
            )
    growth = large.p50_ms / small.p50_ms if small.p50_ms else float("inf")
    return [
        Result.of_load(f"deep keyset page, {small_rows:,} assets", small),
        Result.of_load(
            f"deep keyset page, {bench.facts['assets']:,} assets",
            large,
            figures={"p50 large/small": round(growth, 2)},
            targets=[Target("deep page p50 large / small", growth, DEEP_PAGE_GROWTH, "<=")],
        ),
    ]


def employee_batch(bench: Bench) -> list[Result]:
    first, last = bench.facts["employee_ids"]
    chooser = random.Random(12)  # noqa: S311 (not for security)
    requests = [
        {
            "method": "GET",
            "path": "/api/v1/employees?ids="
            + ",".join(map(str, chooser.sample(range(first, last + 1), BATCH_IDS))),
        }
        for _ in range(32)
    ]
    run = bench.load(
        f"{bench.services['employee-service']}/api/v1/employees",
        headers=bench.headers("admin"),
        requests=requests,
    )
    return [Result.of_load(f"employee batch look-up ({BATCH_IDS} ids)", run)]


CASES = [
    Case("asset list vs bare ceiling", ceiling_vs_list),
    Case("deep keyset page", deep_keyset_page),
    Case("employee batch look-up", employee_batch),
]
