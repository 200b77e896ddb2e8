"""A bounded load run against a running TB ERP: mixed reads and writes, then every write read back.

    uv run python -m tb_devstack.load [--connections 64] [--seconds 60] [--logins FILE]
                                      [--employee-url URL] [--asset-url URL] [--invoice-url URL]
                                      [--dashboard-url URL] [--timeout 60] [--json FILE]

``connections`` workers each send one request after another for ``seconds`` (through one HTTP
client holding at most ``connections`` connections), picking each request from a weighted mix of
the services' reads and writes. Every write the services confirmed (201, or 200 for an issue and a
PATCH) is then read back: a row that is missing, or whose key fields differ from what the write
answered, is a lost write. The rows the run tagged are counted too. Loopback targets only: this is
a tool for one's own machine, not for load-testing someone else's server.

The exit status is 0 when no request got a 5xx and no write was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import ipaddress
import json
import os
import random
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from .logins import DemoLogin, parse_demo_logins
from .services import SERVICES

API = "/api/v1"
# A slow answer on a busy machine is not a failure: only one slower than this is (a timeout,
# counted apart). Above the services' own 30 s wait for a database connection (SQLAlchemy's pool
# timeout), so that a request failing on that wait shows as the 5xx it is, not as a timeout.
DEFAULT_TIMEOUT_SECONDS = 60.0
VERIFY_CONCURRENCY = 16
EXAMPLES_KEPT = 5
# Reads about three in four, as people use an ERP: mostly lists and records, some bookkeeping.
MIX: tuple[tuple[str, int], ...] = (
    ("GET employees", 12),
    ("GET employees/{id}", 8),
    ("GET employees?ids=", 4),
    ("GET assets", 12),
    ("GET assets/{id}", 8),
    ("POST assets", 6),
    ("PATCH assets/{id}", 3),
    ("GET invoices", 10),
    ("GET invoices/{id}", 6),
    ("POST customers", 2),
    ("POST invoices", 6),
    ("POST invoices/{id}/issue", 4),
    ("POST invoices/{id}/payments", 4),
    ("GET dashboard/summary", 10),
)
ROLES = ("admin", "asset_manager", "accountant")


class NotLoopback(ValueError):
    """A target that is not this machine."""


def require_loopback(url: str) -> None:
    """Refuse ``url`` unless it is http(s) on this machine (localhost, 127.0.0.0/8 or ::1)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise NotLoopback(f"{url!r} is not an http:// URL")
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise NotLoopback(f"loopback only: {url} is not on this machine")


@dataclass(frozen=True)
class Targets:
    """The base URLs of the services the run loads (no trailing slash)."""

    employees: str
    assets: str
    invoices: str
    dashboard: str

    def __post_init__(self) -> None:
        for url in (self.employees, self.assets, self.invoices, self.dashboard):
            require_loopback(url)

    @classmethod
    def of(cls, urls: dict[str, str]) -> Targets:
        """From service name → URL (``employee-service``, ... as the devstack names them)."""
        return cls(
            employees=urls["employee-service"].rstrip("/"),
            assets=urls["asset-service"].rstrip("/"),
            invoices=urls["invoice-service"].rstrip("/"),
            dashboard=urls["dashboard-service"].rstrip("/"),
        )


# -- what a run records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One request of the timed run: ``status`` None when there was no answer."""

    endpoint: str
    seconds: float
    status: int | None
    failure: str | None = None  # "timeout" or "error" (no answer)


UNKNOWN = object()  # an expected field whose value the run cannot know (a write without answer)


@dataclass
class Write:
    """A write the service confirmed, and what reading it back must show.

    ``within`` names a list field of the read's body holding the written row (a payment in its
    invoice's ``payments``); otherwise the body is the row. Fields whose expected value is a
    Decimal are compared as amounts ("10.5" equals "10.50").
    """

    kind: str
    id: int
    url: str
    expected: dict[str, Any]
    within: str | None = None

    def describe(self) -> str:
        return f"{self.kind} {self.id}"


def differences(write: Write, status: int | None, body: Any) -> list[str]:
    """Why reading ``write`` back (``status``, ``body``) does not show it; empty when it does."""
    if status != 200:
        return [f"{write.describe()}: GET {write.url} answered {status}"]
    row = body
    if write.within is not None:
        rows = body.get(write.within) if isinstance(body, dict) else None
        row = next((r for r in rows or [] if isinstance(r, dict) and r.get("id") == write.id), None)
        if row is None:
            return [f"{write.describe()}: not in {write.within} of GET {write.url}"]
    if not isinstance(row, dict):
        return [f"{write.describe()}: GET {write.url} answered no object"]
    problems = []
    for name, expected in write.expected.items():
        if expected is UNKNOWN:
            continue
        actual = row.get(name, "(absent)")
        same = _amount(actual) == expected if isinstance(expected, Decimal) else actual == expected
        if not same:
            problems.append(f"{write.describe()}: {name} is {actual!r}, expected {expected!r}")
    return problems


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


@dataclass(frozen=True)
class Latency:
    """Milliseconds."""

    p50: float
    p95: float
    p99: float
    max: float
    mean: float


def latency_of(seconds: Sequence[float]) -> Latency | None:
    """Percentiles of the durations (in seconds) in milliseconds; None when there are none.

    Inclusive method: the percentiles of these very samples, not of a population estimated from
    them (so p99 never exceeds the maximum).
    """
    if not seconds:
        return None
    ms = [s * 1000.0 for s in seconds]
    if len(ms) == 1:
        return Latency(ms[0], ms[0], ms[0], ms[0], ms[0])
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return Latency(p50=cuts[49], p95=cuts[94], p99=cuts[98], max=max(ms), mean=statistics.fmean(ms))


@dataclass(frozen=True)
class EndpointStats:
    requests: int
    statuses: dict[str, int]
    server_errors: int
    timeouts: int
    errors: int
    latency: Latency | None


@dataclass
class LoadReport:
    """What a run did and found. ``ok`` when no 5xx and no lost write."""

    run: str
    connections: int
    seconds: float  # asked for
    elapsed: float  # from the first request to the last answer
    samples: list[Sample]
    writes: list[Write]
    lost: list[str]  # each lost write (or wrong row count), said in a line
    verified: int = 0  # confirmed writes read back as written
    uncertain_writes: dict[str, int] = field(default_factory=dict)  # kind → writes without answer
    row_counts: list[str] = field(default_factory=list)
    server_error_examples: list[str] = field(default_factory=list)
    client_error_examples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def server_errors(self) -> int:
        return sum(1 for s in self.samples if s.status is not None and s.status >= 500)

    @property
    def client_errors(self) -> int:
        return sum(1 for s in self.samples if s.status is not None and 400 <= s.status < 500)

    @property
    def timeouts(self) -> int:
        return sum(1 for s in self.samples if s.failure == "timeout")

    @property
    def transport_errors(self) -> int:
        return sum(1 for s in self.samples if s.failure == "error")

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def latency(self) -> Latency | None:
        """Of the requests that got an answer (a timeout is counted, not timed)."""
        return latency_of([s.seconds for s in self.samples if s.status is not None])

    @property
    def statuses(self) -> dict[str, int]:
        return _statuses(self.samples)

    @property
    def created(self) -> dict[str, int]:
        """The confirmed creations (201) by kind."""
        return dict(sorted(Counter(w.kind for w in self.writes).items()))

    @property
    def ok(self) -> bool:
        return self.server_errors == 0 and not self.lost

    def by_endpoint(self) -> dict[str, EndpointStats]:
        grouped: dict[str, list[Sample]] = {}
        for sample in self.samples:
            grouped.setdefault(sample.endpoint, []).append(sample)
        order = [name for name, _ in MIX] + sorted(set(grouped) - {name for name, _ in MIX})
        return {
            name: EndpointStats(
                requests=len(samples),
                statuses=_statuses(samples),
                server_errors=sum(1 for s in samples if s.status is not None and s.status >= 500),
                timeouts=sum(1 for s in samples if s.failure == "timeout"),
                errors=sum(1 for s in samples if s.failure == "error"),
                latency=latency_of([s.seconds for s in samples if s.status is not None]),
            )
            for name in order
            if (samples := grouped.get(name))
        }

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data (the samples summarised, not listed)."""

        def latency(value: Latency | None) -> dict[str, float] | None:
            return None if value is None else {k: round(v, 1) for k, v in vars(value).items()}

        return {
            "run": self.run,
            "ok": self.ok,
            "connections": self.connections,
            "seconds": self.seconds,
            "elapsed_seconds": round(self.elapsed, 2),
            "requests": self.requests,
            "throughput_per_second": round(self.throughput, 1),
            "statuses": self.statuses,
            "server_errors": self.server_errors,
            "client_errors": self.client_errors,
            "timeouts": self.timeouts,
            "transport_errors": self.transport_errors,
            "latency_ms": latency(self.latency),
            "created": self.created,
            "verified": self.verified,
            "lost_writes": len(self.lost),
            "lost": self.lost,
            "uncertain_writes": self.uncertain_writes,
            "row_counts": self.row_counts,
            "server_error_examples": self.server_error_examples,
            "client_error_examples": self.client_error_examples,
            "endpoints": {
                name: {
                    "requests": stats.requests,
                    "statuses": stats.statuses,
                    "server_errors": stats.server_errors,
                    "timeouts": stats.timeouts,
                    "transport_errors": stats.errors,
                    "latency_ms": latency(stats.latency),
                }
                for name, stats in self.by_endpoint().items()
            },
        }

    def render(self) -> str:
        """The report as a person reads it."""

        def ms(value: Latency | None) -> str:
            if value is None:
                return "(no answers)"
            return (
                f"p50 {value.p50:.0f}  p95 {value.p95:.0f}  p99 {value.p99:.0f}  "
                f"max {value.max:.0f}  mean {value.mean:.0f}"
            )

        created = ", ".join(f"{kind} {n}" for kind, n in self.created.items()) or "none"
        statuses = ", ".join(f"{code}: {n}" for code, n in self.statuses.items())
        lines = [
            f"TB ERP load run {self.run}: {self.connections} connections for {self.seconds:g} s",
            f"  requests      {self.requests} in {self.elapsed:.1f} s = "
            f"{self.throughput:.1f} per second",
            f"  statuses      {statuses}",
            f"  5xx           {self.server_errors}",
            f"  4xx           {self.client_errors}",
            f"  timeouts      {self.timeouts}   transport errors {self.transport_errors}",
            f"  latency (ms)  {ms(self.latency)}",
            f"  writes        {sum(self.created.values())} confirmed ({created}); "
            f"{self.verified} read back as written; {len(self.lost)} lost",
        ]
        if self.uncertain_writes:
            unsure = ", ".join(f"{k} {n}" for k, n in sorted(self.uncertain_writes.items()))
            lines.append(f"  unanswered    writes without an answer (not counted lost): {unsure}")
        lines += [f"  rows          {line}" for line in self.row_counts]
        lines += ["", f"  {'endpoint':<30} {'requests':>8} {'5xx':>4} {'t/o':>4} "
                  f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  statuses"]  # fmt: skip
        for name, stats in self.by_endpoint().items():
            lat = stats.latency
            figures = (
                f"{lat.p50:>7.0f} {lat.p95:>7.0f} {lat.p99:>7.0f} {lat.max:>7.0f}"
                if lat
                else f"{'-':>7} {'-':>7} {'-':>7} {'-':>7}"
            )
            codes = ", ".join(f"{code}: {n}" for code, n in stats.statuses.items())
            lines.append(
                f"  {name:<30} {stats.requests:>8} {stats.server_errors:>4} "
                f"{stats.timeouts:>4} {figures}  {codes}"
            )
        if self.lost:
            lines += ["", "  LOST WRITES:", *(f"    {line}" for line in self.lost[:50])]
            if len(self.lost) > 50:
                lines.append(f"    ... and {len(self.lost) - 50} more")
        if self.server_error_examples:
            lines += ["", "  5xx answers (first ones):"]
            lines += [f"    {line}" for line in self.server_error_examples]
        if self.client_error_examples:
            lines += ["", "  4xx answers and failed connections (first ones):"]
            lines += [f"    {line}" for line in self.client_error_examples]
        lines.append(f"  verdict       {'OK' if self.ok else 'FAILED'}")
        return "\n".join(lines)


def _statuses(samples: Iterable[Sample]) -> dict[str, int]:
    counts = Counter(
        str(s.status) if s.status is not None else (s.failure or "error") for s in samples
    )
    return dict(sorted(counts.items()))


# -- the run ---------------------------------------------------------------------------------------


def run_load(
    targets: Targets,
    *,
    logins: Sequence[DemoLogin],
    connections: int = 64,
    seconds: float = 60.0,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    seed: int | None = None,
) -> LoadReport:
    """Load ``targets`` with ``connections`` concurrent workers for ``seconds``, then read every
    confirmed write back; the report. Signs in with the demo ``logins`` of the roles admin,
    asset_manager and accountant.

    Blocking (it runs its own event loop); call it from a thread that has none running.
    """
    if connections < 1 or seconds <= 0:
        raise ValueError("connections must be at least 1 and seconds more than 0")
    return asyncio.run(
        _Run(targets, logins, connections=connections, timeout=timeout, seed=seed).go(seconds)
    )


class _Run:
    """The state the workers share: one event loop, so no locks (no await between check and
    take)."""

    def __init__(
        self,
        targets: Targets,
        logins: Sequence[DemoLogin],
        *,
        connections: int,
        timeout: float,
        seed: int | None,
    ) -> None:
        self.targets = targets
        self.logins = {login.role: login for login in logins}
        missing = [role for role in ROLES if role not in self.logins]
        if missing:
            raise ValueError(f"no demo login for the role(s) {', '.join(missing)}")
        self.connections = connections
        self.timeout = timeout
        self.rng = random.Random(seed)  # noqa: S311 (a workload, not a secret)
        self.run = f"LD{secrets.token_hex(3).upper()}"
        self.headers: dict[str, dict[str, str]] = {}
        self.samples: list[Sample] = []
        self.writes: list[Write] = []
        self.uncertain: Counter[str] = Counter()
        self.server_errors: list[str] = []
        self.client_errors: list[str] = []
        self.serial = 0
        # What the reads pick from: the demo data, and what the run adds.
        self.employee_ids: list[int] = []
        self.asset_ids: list[int] = []
        self.invoice_ids: list[int] = []
        self.category_ids: list[int] = []
        self.customer_ids: list[int] = []
        # What the writes take one at a time (taken out while a request on it is in flight, so
        # what each row must end as is known).
        self.idle_assets: list[Write] = []
        self.drafts: list[Write] = []
        self.unpaid: list[tuple[Write, Decimal]] = []  # with the balance due
        self.client: httpx.AsyncClient | None = None
        self.row_counts: list[str] = []

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    async def go(self, seconds: float) -> LoadReport:
        limits = httpx.Limits(max_connections=self.connections, max_keepalive_connections=None)
        async with httpx.AsyncClient(limits=limits, timeout=self.timeout) as client:
            self.client = client
            await self.prepare(client)
            started = time.monotonic()
            deadline = started + seconds
            await asyncio.gather(*(self.worker(deadline) for _ in range(self.connections)))
            elapsed = time.monotonic() - started
            lost, verified = await self.verify(client)
        return LoadReport(
            run=self.run,
            connections=self.connections,
            seconds=seconds,
            elapsed=elapsed,
            samples=self.samples,
            writes=self.writes,
            lost=lost,
            verified=verified,
            uncertain_writes=dict(self.uncertain),
            row_counts=self.row_counts,
            server_error_examples=self.server_errors,
            client_error_examples=self.client_errors,
        )

    async def prepare(self, client: httpx.AsyncClient) -> None:
        """Sign in, and learn which rows exist (untimed)."""
        for role in ROLES:
            login = self.logins[role]
            answer = await client.post(
                f"{self.targets.employees}{API}/auth/login",
                json={"email": login.email, "password": login.password},
            )
            if answer.status_code != 200:
                raise RuntimeError(
                    f"cannot sign in as {login.email} ({role}): HTTP {answer.status_code} "
                    f"{answer.text[:200]}"
                )
            self.headers[role] = {"Authorization": f"Bearer {answer.json()['access_token']}"}

        async def ids(url: str, role: str) -> list[int]:
            answer = await client.get(url, params={"limit": 100}, headers=self.headers[role])
            answer.raise_for_status()
            return [row["id"] for row in answer.json()["items"]]

        self.employee_ids = await ids(f"{self.targets.employees}{API}/employees", "admin")
        self.asset_ids = await ids(f"{self.targets.assets}{API}/assets", "asset_manager")
        self.invoice_ids = await ids(f"{self.targets.invoices}{API}/invoices", "accountant")
        self.customer_ids = await ids(f"{self.targets.invoices}{API}/customers", "accountant")
        self.category_ids = await ids(f"{self.targets.assets}{API}/categories", "asset_manager")
        if not self.employee_ids or not self.category_ids:
            raise RuntimeError("the ERP has no employees or no asset categories: seed it first")

    # -- the requests ------------------------------------------------------------------------

    async def request(
        self, endpoint: str, role: str, url: str, **kwargs: Any
    ) -> httpx.Response | None:
        """Send, time and record one request (its method is the first word of ``endpoint``, a
        name of the mix); the answer, or None when there was none."""
        assert self.client is not None
        method = endpoint.split(" ", 1)[0]
        start = time.monotonic()
        try:
            answer = await self.client.request(method, url, headers=self.headers[role], **kwargs)
        except httpx.TimeoutException:
            self.samples.append(Sample(endpoint, time.monotonic() - start, None, "timeout"))
            return None
        except httpx.TransportError as exc:
            self.samples.append(Sample(endpoint, time.monotonic() - start, None, "error"))
            self._example(self.client_errors, f"{endpoint}: {type(exc).__name__}: {exc}")
            return None
        self.samples.append(Sample(endpoint, time.monotonic() - start, answer.status_code))
        if answer.status_code >= 500:
            self._example(
                self.server_errors, f"{endpoint} -> {answer.status_code} {answer.text[:300]}"
            )
        elif answer.status_code >= 400:
            self._example(
                self.client_errors, f"{endpoint} -> {answer.status_code} {answer.text[:300]}"
            )
        return answer

    @staticmethod
    def _example(kept: list[str], line: str) -> None:
        if len(kept) < EXAMPLES_KEPT:
            kept.append(line)

    async def worker(self, deadline: float) -> None:
        names = [name for name, _ in MIX]
        weights = [weight for _, weight in MIX]
        while time.monotonic() < deadline:
            operation = self.rng.choices(names, weights)[0]
            await self.operations[operation](self)

    async def list_employees(self) -> None:
        await self.request(
            "GET employees",
            "admin",
            f"{self.targets.employees}{API}/employees",
            params={"limit": self.rng.choice((10, 25, 50, 100))},
        )

    async def read_employee(self) -> None:
        employee_id = self.rng.choice(self.employee_ids)
        await self.request(
            "GET employees/{id}",
            "admin",
            f"{self.targets.employees}{API}/employees/{employee_id}",
        )

    async def employees_by_ids(self) -> None:
        # The batch look-up other services and the web app make (served from the Redis cache).
        some = self.rng.sample(self.employee_ids, min(len(self.employee_ids), 5))
        await self.request(
            "GET employees?ids=",
            "admin",
            f"{self.targets.employees}{API}/employees",
            params={"ids": ",".join(map(str, some))},
        )

    async def list_assets(self) -> None:
        params: dict[str, Any] = {"limit": self.rng.choice((10, 25, 50))}
        if self.rng.random() < 0.3:
            params["q"] = self.run
        await self.request(
            "GET assets",
            "asset_manager",
            f"{self.targets.assets}{API}/assets",
            params=params,
        )

    async def read_asset(self) -> None:
        if not self.asset_ids:
            return await self.create_asset()
        asset_id = self.rng.choice(self.asset_ids)
        await self.request(
            "GET assets/{id}", "accountant", f"{self.targets.assets}{API}/assets/{asset_id}"
        )

    async def create_asset(self) -> None:
        serial = self.next_serial()
        tag = f"{self.run}-{serial:06d}"
        body = {
            "asset_tag": tag,
            "name": f"Load test laptop {serial}",
            "serial_number": f"SN-{self.run}-{serial}",
            "category_id": self.rng.choice(self.category_ids),
            "location": "Load lab",
            "purchase_date": (dt.date(2025, 1, 1) + dt.timedelta(days=serial % 300)).isoformat(),
            "purchase_cost": f"{self.rng.randint(300, 3000)}.{self.rng.randint(0, 99):02d}",
            "currency": "EUR",
        }
        answer = await self.request(
            "POST assets", "asset_manager", f"{self.targets.assets}{API}/assets", json=body
        )
        if answer is None:
            self.uncertain["asset"] += 1
            return
        if answer.status_code != 201:
            return
        row = answer.json()
        write = Write(
            kind="asset",
            id=row["id"],
            url=f"{self.targets.assets}{API}/assets/{row['id']}",
            expected={
                "asset_tag": tag,
                "name": body["name"],
                "category_id": body["category_id"],
                "purchase_cost": Decimal(str(body["purchase_cost"])),
                "location": body["location"],
                "status": row["status"],
            },
        )
        self.writes.append(write)
        self.asset_ids.append(write.id)
        self.idle_assets.append(write)

    async def update_asset(self) -> None:
        if not self.idle_assets:
            return await self.create_asset()
        write = self.idle_assets.pop(self.rng.randrange(len(self.idle_assets)))
        location = f"Room {self.next_serial()}"
        answer = await self.request(
            "PATCH assets/{id}",
            "asset_manager",
            write.url,
            json={"location": location, "notes": f"moved by load run {self.run}"},
        )
        if answer is None:
            write.expected["location"] = UNKNOWN  # and no more PATCHes on it
            return
        if answer.status_code == 200:
            write.expected["location"] = location
        self.idle_assets.append(write)

    async def list_invoices(self) -> None:
        params: dict[str, Any] = {"limit": self.rng.choice((10, 25, 50))}
        if self.rng.random() < 0.3:
            params["q"] = self.run
        await self.request(
            "GET invoices",
            "accountant",
            f"{self.targets.invoices}{API}/invoices",
            params=params,
        )

    async def read_invoice(self) -> None:
        if not self.invoice_ids:
            return await self.create_invoice()
        invoice_id = self.rng.choice(self.invoice_ids)
        await self.request(
            "GET invoices/{id}",
            "accountant",
            f"{self.targets.invoices}{API}/invoices/{invoice_id}",
        )

    async def create_customer(self) -> None:
        serial = self.next_serial()
        body = {
            "name": f"Load {self.run} customer {serial}",
            "email": f"billing-{serial}@{self.run.lower()}.example",
            "currency": "EUR",
            "payment_terms_days": self.rng.choice((14, 30, 60)),
        }
        answer = await self.request(
            "POST customers",
            "accountant",
            f"{self.targets.invoices}{API}/customers",
            json=body,
        )
        if answer is None:
            self.uncertain["customer"] += 1
            return
        if answer.status_code != 201:
            return
        row = answer.json()
        self.writes.append(
            Write(
                kind="customer",
                id=row["id"],
                url=f"{self.targets.invoices}{API}/customers/{row['id']}",
                expected={key: body[key] for key in ("name", "email", "payment_terms_days")},
            )
        )
        self.customer_ids.append(row["id"])

    async def create_invoice(self) -> None:
        if not self.customer_ids:
            return await self.create_customer()
        lines = [
            {
                "description": f"Consulting, item {n + 1}",
                "quantity": str(self.rng.choice((1, 2, 3, 5, 8))),
                "unit_price": f"{self.rng.randint(20, 900)}.{self.rng.choice((0, 50, 95)):02d}",
                "tax_rate": self.rng.choice(("0", "8.1", "19")),
            }
            for n in range(self.rng.randint(1, 5))
        ]
        notes = f"load run {self.run} #{self.next_serial()}"
        answer = await self.request(
            "POST invoices",
            "accountant",
            f"{self.targets.invoices}{API}/invoices",
            json={
                "customer_id": self.rng.choice(self.customer_ids),
                "notes": notes,
                "lines": lines,
            },
        )
        if answer is None:
            self.uncertain["invoice"] += 1
            return
        if answer.status_code != 201:
            return
        row = answer.json()
        write = Write(
            kind="invoice",
            id=row["id"],
            url=f"{self.targets.invoices}{API}/invoices/{row['id']}",
            expected={
                "customer_id": row["customer_id"],
                "notes": notes,
                "currency": row["currency"],
                "total": Decimal(row["total"]),
                "status": "draft",
                "number": None,
                "amount_paid": Decimal(0),
                "lines": row["lines"],  # each line as created: ids, amounts, order
            },
        )
        self.writes.append(write)
        self.invoice_ids.append(write.id)
        self.drafts.append(write)

    async def issue_invoice(self) -> None:
        if not self.drafts:
            return await self.create_invoice()
        write = self.drafts.pop(self.rng.randrange(len(self.drafts)))
        answer = await self.request("POST invoices/{id}/issue", "accountant", f"{write.url}/issue")
        if answer is None:
            write.expected.update(status=UNKNOWN, number=UNKNOWN)
            return
        if answer.status_code != 200:
            self.drafts.append(write)
            return
        row = answer.json()
        write.expected.update(status=row["status"], number=row["number"])
        self.unpaid.append((write, Decimal(row["balance_due"])))

    async def record_payment(self) -> None:
        if not self.unpaid:
            return await self.issue_invoice()
        write, balance = self.unpaid.pop(self.rng.randrange(len(self.unpaid)))
        amount = balance if self.rng.random() < 0.5 else (balance / 2).quantize(Decimal("0.01"))
        if amount <= 0:
            amount = balance
        answer = await self.request(
            "POST invoices/{id}/payments",
            "accountant",
            f"{write.url}/payments",
            json={"amount": str(amount), "method": self.rng.choice(("bank_transfer", "card"))},
        )
        if answer is None:
            self.uncertain["payment"] += 1
            write.expected.update(amount_paid=UNKNOWN, status=UNKNOWN)
            return
        if answer.status_code != 201:
            self.unpaid.append((write, balance))
            return
        row = answer.json()
        self.writes.append(
            Write(
                kind="payment",
                id=row["id"],
                url=write.url,
                within="payments",
                expected={"amount": amount, "method": row["method"], "invoice_id": write.id},
            )
        )
        paid = write.expected["amount_paid"]
        balance -= amount
        if paid is not UNKNOWN:
            write.expected["amount_paid"] = paid + amount
            write.expected["status"] = "paid" if balance == 0 else "partially_paid"
        if balance > 0:
            self.unpaid.append((write, balance))

    async def dashboard_summary(self) -> None:
        await self.request(
            "GET dashboard/summary",
            self.rng.choice(("admin", "accountant")),
            f"{self.targets.dashboard}{API}/dashboard/summary",
        )

    operations: dict[str, Callable[[_Run], Awaitable[None]]] = {
        "GET employees": list_employees,
        "GET employees/{id}": read_employee,
        "GET employees?ids=": employees_by_ids,
        "GET assets": list_assets,
        "GET assets/{id}": read_asset,
        "POST assets": create_asset,
        "PATCH assets/{id}": update_asset,
        "GET invoices": list_invoices,
        "GET invoices/{id}": read_invoice,
        "POST customers": create_customer,
        "POST invoices": create_invoice,
        "POST invoices/{id}/issue": issue_invoice,
        "POST invoices/{id}/payments": record_payment,
        "GET dashboard/summary": dashboard_summary,
    }

    # -- afterwards ----------------------------------------------------------------------------

    async def verify(self, client: httpx.AsyncClient) -> tuple[list[str], int]:
        """Read every confirmed write back, and count the rows the run tagged: what is lost, and
        how many writes read back as written."""
        limit = asyncio.Semaphore(VERIFY_CONCURRENCY)
        role = {"asset": "asset_manager"}
        bodies: dict[str, tuple[int | None, Any]] = {}

        async def read(url: str, kind: str) -> None:
            if url in bodies:
                return
            bodies[url] = (None, None)
            async with limit:
                for _attempt in range(3):  # a read that gets no answer is asked again
                    try:
                        answer = await client.get(
                            url, headers=self.headers[role.get(kind, "accountant")]
                        )
                    except httpx.TransportError:
                        continue
                    body = answer.json() if answer.status_code == 200 else answer.text[:200]
                    bodies[url] = (answer.status_code, body)
                    return

        await asyncio.gather(*(read(w.url, w.kind) for w in self.writes))
        lost: list[str] = []
        verified = 0
        for write in self.writes:
            status, body = bodies[write.url]
            problems = differences(write, status, body)
            lost += problems
            if not problems:
                verified += 1
        numbers = Counter(
            body.get("number")
            for status, body in bodies.values()
            if status == 200 and isinstance(body, dict) and body.get("number")
        )
        lost += [f"invoice number {n} given {c} times" for n, c in numbers.items() if c > 1]
        self.row_counts = []
        counts = (
            ("asset", f"{self.targets.assets}{API}/assets", "asset_manager"),
            ("customer", f"{self.targets.invoices}{API}/customers", "accountant"),
            ("invoice", f"{self.targets.invoices}{API}/invoices", "accountant"),
        )
        for kind, url, who in counts:
            answer = await client.get(
                url, params={"q": self.run, "limit": 1}, headers=self.headers[who]
            )
            if answer.status_code != 200:
                lost.append(f"counting {kind} rows: GET {url} answered {answer.status_code}")
                continue
            total = answer.json()["total"]
            confirmed = sum(1 for w in self.writes if w.kind == kind)
            unanswered = self.uncertain[kind]
            self.row_counts.append(
                f"{kind}: {total} rows tagged {self.run}; {confirmed} confirmed"
                + (f" + up to {unanswered} unanswered" if unanswered else "")
            )
            if total < confirmed:
                lost.append(f"{kind}: {total} rows tagged {self.run}, {confirmed} confirmed")
            elif total > confirmed + unanswered:
                lost.append(
                    f"{kind}: {total} rows tagged {self.run}, more than the {confirmed} "
                    f"confirmed and {unanswered} unanswered"
                )
        return lost, verified


# -- the command -----------------------------------------------------------------------------------


def default_urls(environ: Mapping[str, str]) -> dict[str, str]:
    """Where ``up`` serves each service: its port (or the ``*_PORT`` override) on 127.0.0.1."""
    return {s.name: f"http://127.0.0.1:{s.port(environ)}" for s in SERVICES}


def demo_logins(path: str | None) -> list[DemoLogin]:
    """The demo logins: from ``path`` (``-`` for standard input) holding ``up``'s banner or the
    output of ``employee-service seed-demo``; else the employee service's own table (what its
    seed-demo prints and ``up`` shows)."""
    if path is not None:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return parse_demo_logins(text)
    try:  # the devstack runs the services from this same environment
        bootstrap = importlib.import_module("employee_service.services.bootstrap")
    except ImportError:
        return []
    return [
        DemoLogin(str(role), email, password) for role, email, password, *_ in bootstrap.DEMO_LOGINS
    ]


def main(argv: Sequence[str] | None = None) -> int:
    urls = default_urls(os.environ)
    parser = argparse.ArgumentParser(
        prog="python -m tb_devstack.load",
        description="A bounded load run against the ERP `python3 tberp.py up` runs (loopback "
        "only): mixed reads and writes, then every write read back.",
    )
    parser.add_argument("--connections", type=int, default=64, help="concurrent workers")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to load")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds a request may take before it counts as a timeout",
    )
    parser.add_argument("--seed", type=int, default=None, help="the workload's random seed")
    for option, service in (
        ("--employee-url", "employee-service"),
        ("--asset-url", "asset-service"),
        ("--invoice-url", "invoice-service"),
        ("--dashboard-url", "dashboard-service"),
    ):
        parser.add_argument(option, default=urls[service], help=f"default {urls[service]}")
    parser.add_argument(
        "--logins",
        metavar="FILE",
        help="the demo logins as `up` prints them (its banner) or seed-demo does; - for stdin "
        "(default: the employee service's demo logins)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the report there as JSON")
    args = parser.parse_args(argv)
    try:
        targets = Targets(
            employees=args.employee_url.rstrip("/"),
            assets=args.asset_url.rstrip("/"),
            invoices=args.invoice_url.rstrip("/"),
            dashboard=args.dashboard_url.rstrip("/"),
        )
    except NotLoopback as exc:
        print(f"tb-devstack load: {exc}", file=sys.stderr)
        return 2
    logins = demo_logins(args.logins)
    print(
        f"tb-devstack load: {args.connections} connections for {args.seconds:g} s against "
        f"{targets.employees}, {targets.assets}, {targets.invoices}, {targets.dashboard}",
        flush=True,
    )
    try:
        report = run_load(
            targets,
            logins=logins,
            connections=args.connections,
            seconds=args.seconds,
            timeout=args.timeout,
            seed=args.seed,
        )
    except httpx.ConnectError as exc:
        print(
            f"tb-devstack load: cannot reach {exc.request.url.host}:{exc.request.url.port} "
            f"({exc}); is `python3 tberp.py up` running? (or give the services' URLs)",
            file=sys.stderr,
        )
        return 2
    except (ValueError, RuntimeError, httpx.HTTPError) as exc:
        print(f"tb-devstack load: {exc}", file=sys.stderr)
        return 2
    print(report.render(), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
