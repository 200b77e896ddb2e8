"""What a benchmark case is, what it gives back, and what it is given.

A plug-in module (e.g. ``tbbench.invoices``) exposes two module-level lists, both optional:

* ``SEEDS: list[Seed]`` — each ``Seed.load(bench, connection)`` fills its tables with COPY on a
  psycopg connection to the seeded database (the services' migrations are applied already) and
  returns ``{table: rows}``; run.py times each seed and reports rows and seconds.
* ``CASES: list[Case]`` — each ``Case.run(bench)`` runs against the started services and returns
  one or more ``Result`` rows, each carrying the ``Target`` checks it is judged by.

run.py imports ``tbbench.<name>`` for every name in ``PLUGINS`` that exists, so a module can be
added without touching the runner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import psycopg

    from .load import LoadRun


@dataclass(frozen=True)
class Sizes:
    """How much data is seeded; ``--quick`` uses the small set."""

    assets: int
    employees: int
    invoices: int
    lines_per_invoice: int
    small_assets: int  # the small register the deep-page ratio compares against
    csv_rows: int  # the CSV import case

    @classmethod
    def full(cls) -> Sizes:
        return cls(1_000_000, 100_000, 200_000, 5, 10_000, 100_000)

    @classmethod
    def quick(cls) -> Sizes:
        return cls(10_000, 1_000, 2_000, 5, 1_000, 2_000)


@dataclass(frozen=True)
class Target:
    """A figure and the limit it must meet: ``value <op> limit``."""

    name: str  # e.g. "asset list / ceiling req/s"
    value: float
    limit: float
    op: Literal["<", "<=", ">", ">="]
    unit: str = ""

    @property
    def ok(self) -> bool:
        return {
            "<": self.value < self.limit,
            "<=": self.value <= self.limit,
            ">": self.value > self.limit,
            ">=": self.value >= self.limit,
        }[self.op]

    def describe(self) -> str:
        return (
            f"{self.name}: {self.value:.3g}{self.unit} (target {self.op} {self.limit:g}{self.unit})"
        )


@dataclass
class Result:
    """One row of the report. Load figures are None for cases that are not HTTP load."""

    name: str
    req_per_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0  # failed connections, timeouts and non-2xx answers
    # Other figures, shown in the table's "notes" column and written to the JSON
    # (e.g. {"seconds": 12.3} or {"rows": 100000}).
    figures: dict[str, float] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    note: str = ""

    @classmethod
    def of_load(cls, name: str, run: LoadRun, **kw: Any) -> Result:
        """A row from an autocannon run (see :func:`tbbench.load.load`)."""
        return cls(
            name=name,
            req_per_s=run.req_per_s,
            p50_ms=run.p50_ms,
            p99_ms=run.p99_ms,
            errors=run.errors,
            **kw,
        )

    @property
    def ok(self) -> bool:
        return self.errors == 0 and all(t.ok for t in self.targets)


@dataclass
class Bench:
    """What a case is given: sizes, the seeded database, the running services, how to load."""

    sizes: Sizes
    seconds: int  # per load run
    connections: int
    database_url: str  # libpq URL of the seeded database (psycopg.connect accepts it)
    services: Mapping[str, str]  # service name -> base URL, e.g. {"asset-service": "http://…"}
    headers: Callable[..., dict[str, str]]  # headers("admin") -> {"Authorization": "Bearer …"}
    # Results of the cases run so far, by Result.name (for ratios against earlier cases).
    results: dict[str, Result] = field(default_factory=dict)
    # Anything a seed wants to hand to its cases (ids, sample keys), by name.
    facts: dict[str, Any] = field(default_factory=dict)
    warm_up: float = 2.0  # uncounted seconds of load before each counted run

    def load(self, url: str, **kw: Any) -> LoadRun:
        """Load ``url`` with autocannon at ``connections`` for ``seconds`` (after a warm-up).

        Keywords go to :func:`tbbench.load.load`: ``method``, ``body`` (str or JSON-able),
        ``headers``, ``requests`` (a list of autocannon request dicts for varying bodies/paths).
        """
        from .load import load

        kw.setdefault("connections", self.connections)
        kw.setdefault("seconds", self.seconds)
        kw.setdefault("warm_up", self.warm_up)
        return load(url, **kw)


@dataclass(frozen=True)
class Seed:
    name: str
    load: Callable[[Bench, psycopg.Connection[Any]], dict[str, int]]


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Bench], list[Result]]
