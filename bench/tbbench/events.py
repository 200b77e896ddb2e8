"""Case: event latency from commit to effect, through the running services.

An employee's name is changed through the employee service's API (``PATCH``; the change and its
outbox row commit in one unit of work); the employee service's events worker relays the event to
Redis and the asset service's worker applies it to its employee projection. The clock starts
before the ``PATCH`` is sent (so the figure includes the request, an upper bound of commit →
effect) and stops when the new name is read back from ``asset_schema.employees``.
"""

from __future__ import annotations

import statistics
import time

import httpx
import psycopg

from .cases import Bench, Case, Result, Target

EVENTS_FULL = 100
EVENTS_QUICK = 20
GAP_SECONDS = 0.05  # between one effect and the next change
EFFECT_TIMEOUT_SECONDS = 30.0
P99_LIMIT_MS = 1000.0


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def event_latency(bench: Bench) -> list[Result]:
    first, last = bench.facts["employee_ids"]
    count = EVENTS_QUICK if bench.sizes.employees < 10_000 else EVENTS_FULL
    step = max(1, (last - first) // count)
    employee_ids = list(range(first, last + 1, step))[:count]
    base = bench.services["employee-service"]
    headers = bench.headers("admin")
    latencies: list[float] = []
    lost = 0
    stamp = int(time.time())
    with (
        httpx.Client(base_url=base, headers=headers, timeout=30) as client,
        psycopg.connect(bench.database_url, autocommit=True) as connection,
    ):
        for n, employee_id in enumerate(employee_ids):
            name = f"Moved{stamp}x{n}"
            started = time.perf_counter()
            answer = client.patch(f"/api/v1/employees/{employee_id}", json={"last_name": name})
            if answer.status_code != 200:
                raise RuntimeError(
                    f"PATCH employee {employee_id}: {answer.status_code} {answer.text}"
                )
            deadline = started + EFFECT_TIMEOUT_SECONDS
            while True:
                row = connection.execute(
                    "SELECT last_name FROM asset_schema.employees WHERE id = %s", (employee_id,)
                ).fetchone()
                if row is not None and row[0] == name:
                    latencies.append((time.perf_counter() - started) * 1000)
                    break
                if time.perf_counter() > deadline:
                    lost += 1
                    break
                time.sleep(0.002)
            time.sleep(GAP_SECONDS)
    if not latencies:
        return [Result("event commit → effect", errors=lost, note="no event took effect")]
    p99 = _percentile(latencies, 0.99)
    return [
        Result(
            "event commit → effect (asset projection)",
            p50_ms=statistics.median(latencies),
            p99_ms=p99,
            errors=lost,
            figures={"events": len(employee_ids), "max ms": round(max(latencies), 1)},
            targets=[Target("event commit → effect p99", p99, P99_LIMIT_MS, "<", " ms")],
        )
    ]


CASES = [Case("event latency", event_latency)]
