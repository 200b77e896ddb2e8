"""Prometheus metrics of a service, served at ``GET /metrics`` (no token; not in the OpenAPI).

The names are a contract with the dashboards and alerts (every series carries ``service``):

- ``http_requests_total`` and ``http_request_duration_seconds`` by method, route template
  (``route="unmatched"`` when no route matched: never the raw path) and status;
- ``db_pool_connections_in_use``, ``db_pool_size``: the engine's pool, read at scrape time;
- ``outbox_backlog_events``, ``outbox_oldest_unpublished_age_seconds``, ``event_dead_letters``:
  one indexed query on the service's event tables at scrape time;
- ``event_consumer_lag_events{consumer}``: asked of the broker at scrape time (:mod:`.lag`);
- ``cache_requests_total{cache,result}``: the counts of the app's :class:`~tb_platform.cache.Cache`;
- what a service adds itself (``metrics=`` of ``create_service_app``), e.g. ``receipts_total``;
- the process's own (``process_resident_memory_bytes``, ``process_cpu_seconds_total``, …).

Each app has its own :class:`~prometheus_client.CollectorRegistry` (tests build many apps in
one process). What is read at scrape time is bounded by a timeout and skipped when it fails: a
scrape with the database or the broker down still answers, with the other metrics.
"""

from __future__ import annotations

import asyncio
import logging
import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..db import Database
    from ..events.worker import WorkerSpec
    from .lag import LagProbe

log = logging.getLogger("tb_platform.observability.metrics")

DURATION_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)
UNMATCHED = "unmatched"
SCRAPE_TIMEOUT_SECONDS = 2.0

MetricSource = Callable[["FastAPI", str], Awaitable[Iterable[Metric]]]
"""What a service adds to its metrics: ``async (app, service) -> metric families``, read at each
scrape (bounded by a timeout; an error leaves them out of that scrape)."""


class HttpMetrics:
    """Request counts and latencies, kept as plain numbers and turned into the Prometheus
    counter and histogram at scrape time.

    One request costs a dictionary lookup and two additions (well under a microsecond) where
    prometheus-client's labelled histogram takes several: the list of assets serves hundreds of
    requests per second on one core. Only the event loop's thread writes them (the middleware),
    and the scrape reads them on that same thread, so no lock is needed.
    """

    def __init__(self, service: str) -> None:
        self.service = service
        # (method, route, status) -> [per-bucket counts…, +Inf count, sum of seconds]
        self._series: dict[tuple[str, str, int], list[float]] = {}
        self._width = len(DURATION_BUCKETS) + 2

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request that took ``seconds``."""
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = [0] * self._width
        series[bisect_left(DURATION_BUCKETS, seconds)] += 1
        series[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        labels = ["service", "method", "route", "status"]
        requests = CounterMetricFamily(
            "http_requests", "HTTP requests answered, by route template and status", labels=labels
        )
        durations = HistogramMetricFamily(
            "http_request_duration_seconds",
            "Time from a request's arrival to the end of its response",
            labels=labels,
        )
        bounds = [*(repr(float(bound)) for bound in DURATION_BUCKETS), "+Inf"]
        for (method, route, status), series in list(self._series.items()):
            values = [self.service, method, route, str(status)]
            cumulative, running = [], 0.0
            for bound, count in zip(bounds, series[:-1], strict=True):
                running += count
                cumulative.append((bound, running))
            requests.add_metric(values, running)
            durations.add_metric(values, cumulative, sum_value=series[-1])
        yield requests
        yield durations


@dataclass
class _Scrape:
    """What the last scrape read from the database, the broker and the service's sources."""

    families: list[Metric] = field(default_factory=list)


class ServiceMetrics(Collector):
    """The metrics of one app: its registry, its HTTP numbers, and what is read at scrape time."""

    def __init__(
        self,
        app: FastAPI,
        *,
        service: str,
        worker: WorkerSpec | None = None,
        lag_probe: LagProbe | None = None,
        sources: Sequence[MetricSource] = (),
        timeout: float = SCRAPE_TIMEOUT_SECONDS,
    ) -> None:
        self.app = app
        self.service = service
        self.worker = worker
        self.lag_probe = lag_probe
        self.sources = list(sources)
        self.timeout = timeout
        self.http = HttpMetrics(service)
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.registry.register(self)
        self._scrape = _Scrape()
        self._warned_at: dict[str, float] = {}

    # Read at scrape time, before the registry is collected (collectors are synchronous).

    async def refresh(self) -> None:
        """Read the database, the broker and the service's sources, each within the timeout."""
        parts: list[Awaitable[list[Metric]]] = [self._event_tables(), self._consumer_lag()]
        parts += [self._source(source) for source in self.sources]
        results = await asyncio.gather(*parts)
        self._scrape = _Scrape(families=[family for part in results for family in part])

    async def _bounded(self, what: str, work: Awaitable[list[Metric]]) -> list[Metric]:
        try:
            return await asyncio.wait_for(work, timeout=self.timeout)
        except Exception as exc:
            # Left out of this scrape; said once a minute, not at every scrape.
            now = time.monotonic()
            if now - self._warned_at.get(what, -120.0) >= 60:
                self._warned_at[what] = now
                log.warning("metrics: %s left out of the scrape: %r", what, exc)
            return []

    async def _event_tables(self) -> list[Metric]:
        if self.worker is None:
            return []
        return await self._bounded("the outbox and dead letters", self._read_event_tables())

    async def _read_event_tables(self) -> list[Metric]:
        assert self.worker is not None
        tables = self.worker.tables
        outbox, dead = tables.outbox, tables.dead_letters
        # The oldest by id: the relay's partial index over unpublished rows answers it at once.
        oldest = (
            select(outbox.c.created_at)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(1)
            .scalar_subquery()
        )
        backlog = (
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        ).scalar_subquery()
        parked = (
            select(func.count()).select_from(dead).where(dead.c.replayed_at.is_(None))
        ).scalar_subquery()
        statement = select(backlog, func.extract("epoch", func.clock_timestamp() - oldest), parked)
        database: Database = self.app.state.database
        async with database.sessionmaker() as session:
            row = (await session.execute(statement)).one()
            await session.rollback()
        count, age, dead_letters = row
        return [
            self._gauge(
                "outbox_backlog_events",
                "Events written to the outbox and not yet published",
                count,
            ),
            self._gauge(
                "outbox_oldest_unpublished_age_seconds",
                "Age of the oldest unpublished outbox event (0 when there is none)",
                max(0.0, float(age)) if age is not None else 0.0,
            ),
            self._gauge(
                "event_dead_letters",
                "Events parked in the dead letters after their retries, not replayed",
                dead_letters,
            ),
        ]

    async def _consumer_lag(self) -> list[Metric]:
        if self.worker is None or self.lag_probe is None or not self.worker.consumers:
            return []
        return await self._bounded("the consumer lag", self._read_consumer_lag())

    async def _read_consumer_lag(self) -> list[Metric]:
        assert self.worker is not None
        assert self.lag_probe is not None
        lags = await self.lag_probe.lags(list(self.worker.consumers))
        family = GaugeMetricFamily(
            "event_consumer_lag_events",
            "Events on the broker that this service's consumer group has not handled yet",
            labels=["service", "consumer"],
        )
        for consumer, lag in sorted(lags.items()):
            family.add_metric([self.service, consumer], lag)
        return [family]

    async def _source(self, source: MetricSource) -> list[Metric]:
        async def read() -> list[Metric]:
            return list(await source(self.app, self.service))

        return await self._bounded(getattr(source, "__name__", repr(source)), read())

    # Collected synchronously by the registry.

    def collect(self) -> Iterator[Metric]:
        yield from self.http.collect()
        yield from self._pool()
        yield from self._caches()
        yield from self._scrape.families

    def _pool(self) -> Iterator[Metric]:
        database = getattr(self.app.state, "database", None)
        pool = getattr(getattr(database, "engine", None), "pool", None)
        checkedout = getattr(pool, "checkedout", None)
        size = getattr(pool, "size", None)
        if not callable(checkedout) or not callable(size):
            return
        yield self._gauge(
            "db_pool_connections_in_use", "Database connections checked out now", checkedout()
        )
        yield self._gauge("db_pool_size", "Connections the pool keeps open", size())

    def _caches(self) -> Iterator[Metric]:
        from ..cache import Cache

        family = CounterMetricFamily(
            "cache_requests",
            "Cache lookups, by cache and result (hit or miss; Redis down counts as a miss)",
            labels=["service", "cache", "result"],
        )
        for value in _state_values(self.app):
            # A PageCache counts its lookups in its own Cache's stats.
            value = getattr(value, "cache", value)
            if isinstance(value, Cache):
                family.add_metric([self.service, value.name, "hit"], value.stats.hits)
                family.add_metric([self.service, value.name, "miss"], value.stats.misses)
        # Declared even without a cache (or before its first use): every service exports the
        # same families, so a dashboard's query finds the name everywhere.
        yield family

    def _gauge(self, name: str, documentation: str, value: float) -> GaugeMetricFamily:
        family = GaugeMetricFamily(name, documentation, labels=["service"])
        family.add_metric([self.service], value)
        return family

    async def close(self) -> None:
        """Close the broker connection the lag probe keeps."""
        if self.lag_probe is not None:
            await self.lag_probe.close()


def _state_values(app: FastAPI) -> list[Any]:
    # Starlette's State keeps its attributes in ``_state``.
    return list(getattr(app.state, "_state", {}).values())


async def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics``: the Prometheus text (or OpenMetrics, if asked for) of this app."""
    metrics: ServiceMetrics = request.app.state.metrics
    await metrics.refresh()
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(metrics.registry), headers={"Content-Type": content_type})
