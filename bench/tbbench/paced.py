"""An offered load: requests arriving at a steady average rate, as users make them.

autocannon paces with a per-second budget (``overallRate``): each second's requests leave at once,
so its "paced" latencies measure a burst queue. Here arrivals are a Poisson process at ``rate``
per second over at most ``connections`` keep-alive connections (httpx's pool; a request that finds
them all busy waits for one), and each latency is counted from the moment the request was due,
not from when it could leave — a late start is part of what a user waits (no coordinated
omission). The generator's own cost at these rates is a few per cent of one core.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time

import httpx

from .load import LoadRun


async def _run(
    url: str, headers: dict[str, str], rate: float, seconds: float, connections: int
) -> LoadRun:
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    failures = 0
    arrivals = random.Random(20261130)  # noqa: S311 (not for security)

    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:

        async def one(due: float) -> None:
            nonlocal failures
            try:
                answer = await client.get(url)
                if answer.status_code >= 400:
                    failures += 1
            except httpx.HTTPError:
                failures += 1
            latencies.append(loop.time() - due)

        started = loop.time()
        due = started
        tasks = []
        while due < started + seconds:
            due += arrivals.expovariate(rate)
            await asyncio.sleep(max(0.0, due - loop.time()))
            tasks.append(asyncio.create_task(one(due)))
        await asyncio.gather(*tasks)
        elapsed = loop.time() - started
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return LoadRun(
        req_per_s=len(ordered) / elapsed,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=p99 * 1000,
        errors=failures,
        non2xx=failures,
        requests=len(ordered),
        raw={"mode": "poisson", "rate": rate, "connections": connections},
    )


def paced(
    url: str,
    *,
    headers: dict[str, str],
    rate: float,
    seconds: float,
    connections: int = 64,
    warm_up: float = 1.0,
) -> LoadRun:
    """``GET url`` arriving at ``rate`` a second on average for ``seconds`` (after ``warm_up``
    uncounted seconds at the same rate)."""
    if warm_up > 0:
        asyncio.run(_run(url, headers, rate, warm_up, connections))
    return asyncio.run(_run(url, headers, rate, seconds, connections))


def one_at_a_time_p50(
    url: str, *, headers: dict[str, str], seconds: float = 2.0, warm_up: int = 5
) -> float:
    """The median latency (ms, to the microsecond) of ``GET url`` sent one after another on one
    connection for ``seconds``: a page's own time, with no queue in it (autocannon rounds its
    latencies to whole milliseconds, too coarse for a page of 2-5 ms)."""
    timings: list[float] = []
    with httpx.Client(headers=headers, timeout=30) as client:
        for _ in range(warm_up):
            client.get(url).raise_for_status()
        clock = time.perf_counter
        ends = clock() + seconds
        while clock() < ends or len(timings) < 5:
            started = clock()
            client.get(url).raise_for_status()
            timings.append((clock() - started) * 1000)
    return statistics.median(timings)
