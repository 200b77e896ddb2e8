"""An offered load: requests arriving at a steady average rate, as users make them.

autocannon paces with a per-second budget (``overallRate``): each second's requests leave at once,
so its "paced" latencies measure a burst queue. Here arrivals are a Poisson process at ``rate``
per second over at most ``connections`` keep-alive connections (a request that finds them all
busy waits for one), and each latency is counted from the moment the request was due, not from
when it could leave — a late start is part of what a user waits (no coordinated omission).

The client must not add latency of its own, or the tail it reports is its own. It runs in a
process of its own (not beside the bench runner's RSS sampler thread, under one GIL), on uvloop,
with aiohttp (a C HTTP parser). The httpx client it replaces (h11, a pure-Python parser, on
asyncio's default loop) measured, against the same asset list at 100 requests a second, a p50 of
16.8 ms and a p99 of 124.6 ms where this one measures 9.0 ms and 33.3 ms: most of that tail was
the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .load import LoadRun


async def _run(
    url: str, headers: dict[str, str], rate: float, seconds: float, connections: int
) -> dict[str, float | int]:
    import aiohttp

    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    failures = 0
    arrivals = random.Random(20261130)  # noqa: S311 (not for security)
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=30)

    async with aiohttp.ClientSession(connector=connector, headers=headers, timeout=timeout) as s:

        async def one(due: float) -> None:
            nonlocal failures
            try:
                async with s.get(url) as answer:
                    await answer.read()
                    if answer.status >= 400:
                        failures += 1
            except (aiohttp.ClientError, TimeoutError):
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
    return {
        "req_per_s": len(ordered) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "failures": failures,
        "requests": len(ordered),
    }


def _measure(
    url: str, headers: dict[str, str], rate: float, seconds: float, connections: int, warm: float
) -> dict[str, float | int]:
    import uvloop

    async def both() -> dict[str, float | int]:
        if warm > 0:  # the same client: its connections are open when the measure starts
            await _run(url, headers, rate, warm, connections)
        return await _run(url, headers, rate, seconds, connections)

    return uvloop.run(both())


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
    uncounted seconds at the same rate), sent from a process of its own."""
    arguments = {
        "url": url,
        "headers": headers,
        "rate": rate,
        "seconds": seconds,
        "connections": connections,
        "warm": warm_up,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tbbench.paced"],
        input=json.dumps(arguments),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=seconds + warm_up + 120,
    )
    figures = json.loads(done.stdout)
    return LoadRun(
        req_per_s=figures["req_per_s"],
        p50_ms=figures["p50_ms"],
        p99_ms=figures["p99_ms"],
        errors=figures["failures"],
        non2xx=figures["failures"],
        requests=figures["requests"],
        raw={"mode": "poisson", "rate": rate, "connections": connections, "client": "aiohttp"},
    )


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


def main() -> None:
    parser = argparse.ArgumentParser(description="an offered load; arguments as JSON on stdin")
    parser.parse_args()
    a = json.loads(sys.stdin.read())
    figures = _measure(a["url"], a["headers"], a["rate"], a["seconds"], a["connections"], a["warm"])
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
