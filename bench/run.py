"""The ERP's benchmark (issue 12): seed with COPY, start the services as `up` does, load them.

    uv run python bench/run.py [--quick] [--seconds N] [--connections 64] [--only NAME] [--no-web]

Creates a throw-away database (same rules as the tests), starts the five services on it the way
``tberp.py up`` does (``tb_devstack.stack.DevStack``: migrate, ``<service> serve`` with one uvicorn
worker, the events workers, Redis, and the web app for the BFF case; no demo data), then seeds it
with COPY — 1 M assets (one in five with 12 months of depreciation schedule), 100 k employees, and
whatever the plug-in modules seed (invoices) — and runs each case with autocannon (64 connections,
10 s; ``--quick``: 10 k assets, 1 k employees, 3 s). Each service's RSS (process and children) is
sampled while the cases run.

Prints a table (req/s, p50, p99, errors, ratios), the targets met and missed, writes
``bench/results/latest.json`` and ``bench/results/latest.png``, and exits 1 when a target is
missed or a case failed. Cases plug in through ``tbbench.cases`` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import logging
import os
import socket
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import psycopg  # noqa: E402
from tb_devstack.backing import BACKING  # noqa: E402
from tb_devstack.services import SERVICES, WEB_FRONTEND  # noqa: E402
from tb_devstack.stack import DevStack, StackError  # noqa: E402
from tbbench import assets, load, report, seed  # noqa: E402
from tbbench.cases import Bench, Case, Result, Seed, Sizes, Target  # noqa: E402
from tbbench.rss import RssSampler  # noqa: E402

from tb_platform.testing import TokenFactory, temporary_database  # noqa: E402

SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 (throw-away)
RESULTS = BENCH_DIR / "results"
# Modules of tbbench imported when present; each may define SEEDS and CASES (tbbench.cases).
# Their cases run in this order: the CSV import last, as it adds 100 k assets to the register.
PLUGINS = ("invoices", "bff", "events", "imports")
RSS_LIMIT_MB = 200.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def plugins() -> tuple[list[Seed], list[Case], list[str]]:
    seeds: list[Seed] = []
    cases: list[Case] = list(assets.CASES)
    found = []
    for name in PLUGINS:
        try:
            module = importlib.import_module(f"tbbench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tbbench.{name}":
                raise
            continue
        found.append(name)
        seeds += list(getattr(module, "SEEDS", []))
        cases += list(getattr(module, "CASES", []))
    return seeds, cases, found


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_seeds(bench: Bench, seeds: list[Seed]) -> dict[str, dict[str, float]]:
    timings: dict[str, dict[str, float]] = {}
    with psycopg.connect(bench.database_url) as connection:
        demo = connection.execute("SELECT count(*) FROM asset_schema.assets").fetchone()
        bench.facts["demo_assets"] = int(demo[0]) if demo else 0
        start = time.perf_counter()
        employee_ids = seed.seed_employees(connection, bench.sizes.employees)
        timings["employees"] = {
            "employee_schema.employees": bench.sizes.employees,
            "seconds": time.perf_counter() - start,
        }
        bench.facts["employee_ids"] = employee_ids
        say(
            f"bench: seeded {bench.sizes.employees:,} employees in {timings['employees']['seconds']:.1f} s"
        )
        start = time.perf_counter()
        rows = seed.seed_assets(connection, bench.sizes.assets, employees=employee_ids)
        timings["assets"] = {**rows, "seconds": time.perf_counter() - start}
        bench.facts["assets"] = bench.sizes.assets + bench.facts["demo_assets"]
        say(f"bench: seeded {rows} in {timings['assets']['seconds']:.1f} s")
        for extra in seeds:
            start = time.perf_counter()
            try:
                rows = extra.load(bench, connection)
                connection.commit()
            except Exception:  # its cases will fail; the others still run
                traceback.print_exc()
                connection.rollback()
                bench.facts.setdefault("failed_seeds", []).append(extra.name)
                rows = {}
            timings[extra.name] = {**rows, "seconds": time.perf_counter() - start}
            say(f"bench: seeded {extra.name} {rows} in {timings[extra.name]['seconds']:.1f} s")
        start = time.perf_counter()
        seed.analyze(connection)
        timings["analyze"] = {"seconds": time.perf_counter() - start}
    timings["total"] = {"seconds": sum(t["seconds"] for t in timings.values())}
    return timings


def run_cases(bench: Bench, cases: list[Case], sampler: RssSampler) -> list[Result]:
    results: list[Result] = []
    for case in cases:
        say(f"bench: {case.name} …")
        try:
            with sampler:
                rows = case.run(bench)
        except Exception as exc:  # one broken case is a failed row, not a lost run
            traceback.print_exc()
            rows = [Result(name=case.name, errors=1, note=f"FAILED: {type(exc).__name__}: {exc}")]
        bench.facts.setdefault("rss_by_case", {})[case.name] = {
            name: round(mb, 1) for name, mb in sampler.max_mb.items()
        }
        for row in rows:
            bench.results[row.name] = row
            say(f"bench:   {row.name}: {report.summary(row)}")
        results += rows
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 s per case")
    parser.add_argument("--seconds", type=int, default=None, help="per load run (10; quick: 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--only", action="append", default=None, help="run only cases whose name contains this"
    )
    parser.add_argument("--no-web", action="store_true", help="leave the web app out (no BFF case)")
    args = parser.parse_args()
    for noisy in ("alembic", "matplotlib", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not load.available():
        raise SystemExit("autocannon is missing: run `npm ci` at the repository root")
    sizes = Sizes.quick() if args.quick else Sizes.full()
    seconds = args.seconds or (3 if args.quick else 10)
    extra_seeds, cases, found = plugins()
    if args.only:
        cases = [c for c in cases if any(word in c.name for word in args.only)]
    if args.no_web:
        cases = [c for c in cases if "BFF" not in c.name]
    say(f"bench: plug-ins found: {', '.join(found) or 'none'}")
    tokens = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")

    def headers(*roles: str, employee_id: int | None = None) -> dict[str, str]:
        return tokens.headers(*roles, employee_id=employee_id, sub=f"bench-{'-'.join(roles)}")

    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "SMTP_URL", "BROKER_URL", "DATABASE_URL", "JWT_SECRET")
    }
    with (
        tempfile.TemporaryDirectory(prefix="tb-bench-") as folder,
        temporary_database("tb_bench") as database_url,
    ):
        environ.update(
            DATABASE_URL=database_url,
            JWT_SECRET=SECRET,
            REDIS_PORT=str(free_port()),
            SMTP_PORT=str(free_port()),
            **{service.port_variable: str(free_port()) for service in (*SERVICES, WEB_FRONTEND)},
        )
        # Served exactly as `up` serves them, without the demo data: the seeds load into a
        # migrated, empty database and the figures count only what they loaded.
        services = tuple(dataclasses.replace(service, seed=None) for service in SERVICES)
        if "bff" in found and not args.no_web and any("BFF" in case.name for case in cases):
            services += (WEB_FRONTEND,)  # built first when its sources changed, as `up` does
        stack = DevStack(
            root=Path(folder), environ=environ, services=services, backing=BACKING, say=say
        )
        try:
            with stack:
                bench = Bench(
                    sizes=sizes,
                    seconds=seconds,
                    connections=args.connections,
                    database_url=database_url,
                    services={r.service.name: r.url for r in stack.servers},
                    headers=headers,
                    warm_up=1.0 if args.quick else 2.0,
                )
                bench.facts["jwt_secret"] = SECRET
                bench.facts["redis_url"] = next(
                    (url for name, url, _ in stack.backing_info if name == "redis"), ""
                )
                seeding = run_seeds(bench, extra_seeds)
                # Each service's server and its events worker, each process with its children.
                sampler = RssSampler(
                    {r.name: r.process.pid for r in stack.running if r.role != "backing"}
                )
                results = run_cases(bench, cases, sampler)
                rss = sampler.peaks
        except StackError as exc:
            say(f"bench: the services did not start: {exc}")
            return 1

    targets = [t for r in results for t in r.targets]
    # The services' memory is a target; the web app's (Node) is reported only.
    targets += [
        Target(f"{name} max RSS", mb, RSS_LIMIT_MB, "<", " MB")
        for name, mb in rss.items()
        if not name.startswith(WEB_FRONTEND.name)
    ]
    failed = [r for r in results if r.errors]
    failed_seeds = list(bench.facts.get("failed_seeds", []))
    ok = all(t.ok for t in targets) and not failed and not failed_seeds

    print(
        f"\nTB ERP benchmark ({'quick' if args.quick else 'full'}): {args.connections} connections,"
        f" {seconds} s per case, autocannon"
    )
    print("seed (COPY):")
    for name, figures in seeding.items():
        rows = ", ".join(f"{k} {int(v):,}" for k, v in figures.items() if k != "seconds")
        print(f"  {name:12} {figures['seconds']:7.1f} s  {rows}")
    print()
    print(report.table(results))
    print("\nmax RSS under load:")
    for name, mb in rss.items():
        print(f"  {name:28} {mb:7.1f} MB")
    print("\ntargets:")
    print(report.targets_table(targets))
    for row in failed:
        print(f"  FAIL {row.name}: {row.errors} errors {row.note}")
    report.write_json(
        RESULTS / "latest.json",
        mode="quick" if args.quick else "full",
        sizes=vars(sizes),
        seed=seeding,
        results=results,
        rss_mb=rss,
        rss_by_case=bench.facts.get("rss_by_case", {}),
        ok=ok,
    )
    report.chart(RESULTS / "latest.png", results, rss)
    print(f"\nwrote {RESULTS / 'latest.json'} and {RESULTS / 'latest.png'}")
    missed = [t.name for t in targets if not t.ok] + [r.name for r in failed]
    missed += [f"seed {name} failed" for name in failed_seeds]
    print("result:", "ok" if ok else "MISSED: " + "; ".join(missed))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
