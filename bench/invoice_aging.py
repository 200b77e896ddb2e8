"""Benchmark: the invoice service on a register of 200 k invoices (issue 12, invoice part).

    uv run python bench/invoice_aging.py [--invoices 200000] [--lines 5] [--repeat 50] [--explain]

Creates a throw-away database (same rules as the tests), applies the invoice service's
migrations, loads ``--invoices`` invoices with ``--lines`` lines each, their payments and tax
records with COPY (``tbbench.invoices.seed_invoices``), then times through the real HTTP API
(ASGI, in process, one request at a time):

* the aging report, today and as of a year ago (target: < 1 s);
* the PDF of an invoice with 10 lines and a payment (target: p50 < 50 ms);
* creating an invoice with 10 lines, and posting a payment (p50 and p99).

``--database URL`` uses (and seeds, if it has no invoices) an existing database instead.
``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the aging report's SQL as the app sends it.
Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tbbench.invoices import (
    TODAY,
    Timing,
    aging_request,
    create_invoice_request,
    open_invoice_ids,
    payment_request,
    pdf_request,
    seed_invoices,
    send,
    timed,
)

from invoice_service.cli import ALEMBIC_DIR
from invoice_service.core.config import InvoiceSettings
from invoice_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import TokenFactory, api_client, temporary_database

SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 (throw-away)
AGING_LIMIT = 1.0
PDF_LIMIT = 0.050


async def explain_aging(app: Any, client: Any, headers: dict[str, str], as_of: dt.date) -> str:
    """The aging request's SQL, captured as the app sends it, run again under EXPLAIN."""
    engine = app.state.database.engine
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "bucket" in statement:
            captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await send(client, aging_request(headers, as_of), expect=200)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    statement, parameters = captured[-1]
    async with engine.connect() as connection:
        result = await connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
        )
        return "\n".join(row[0] for row in result)


async def measure(url: str, repeat: int, explain: bool) -> list[tuple[Timing, float | None]]:
    settings = InvoiceSettings(database_url=url, environment="test", jwt_secret=SECRET)
    app = create_app(settings)
    tokens = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")
    headers = tokens.headers("accountant", sub="bench")
    rows: list[tuple[Timing, float | None]] = []
    try:
        async with api_client(app) as client:
            year_ago = TODAY - dt.timedelta(days=365)
            for name, as_of in (("aging today", TODAY), ("aging as of a year ago", year_ago)):
                request = aging_request(headers, as_of)
                timing = await timed(name, lambda r=request: send(client, r, expect=200), 9)
                rows.append((timing, AGING_LIMIT))
                if explain:
                    print(f"--- EXPLAIN {name}\n{await explain_aging(app, client, headers, as_of)}")

            create = create_invoice_request(headers)
            rows.append(
                (
                    await timed(
                        "create invoice (10 lines)",
                        lambda: send(client, create, expect=201),
                        max(repeat, 100),
                    ),
                    None,
                )
            )
            targets = iter(open_invoice_ids(url, max(repeat, 100) + 5))

            async def pay() -> None:
                await send(client, payment_request(headers, next(targets)), expect=201)

            rows.append((await timed("post payment", pay, max(repeat, 100)), None))

            # A PDF of an issued invoice with 10 lines and a payment, made through the API.
            draft = (await send(client, create, expect=201)).json()
            await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=headers)
            await send(client, payment_request(headers, draft["id"]), expect=201)
            pdf = pdf_request(headers, draft["id"])
            rows.append(
                (
                    await timed(
                        "invoice PDF (10 lines)", lambda: send(client, pdf, expect=200), repeat
                    ),
                    PDF_LIMIT,
                )
            )
    finally:
        await app.state.database.dispose()
    return rows


def _seeded(url: str) -> bool:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT EXISTS (SELECT FROM invoice_schema.invoices)").fetchone()
    return bool(row and row[0])


async def run(invoices: int, lines: int, repeat: int, explain: bool, database: str | None) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with contextlib.ExitStack() as stack:
        url = database or stack.enter_context(temporary_database("tb_bench"))
        migrations.upgrade(ALEMBIC_DIR, url)
        if not _seeded(url):
            seeded = seed_invoices(url, invoices=invoices, lines_per_invoice=lines)
            print(
                f"seeded {seeded.customers} customers, {seeded.invoices} invoices,"
                f" {seeded.lines} lines, {seeded.payments} payments, {seeded.tax_records} tax"
                f" records in {seeded.seconds:.1f} s  {seeded.by_status}"
            )
        rows = await measure(url, repeat, explain)
    ok = True
    for timing, limit in rows:
        missed = limit is not None and timing.p50 >= limit
        ok = ok and not missed
        target = "" if limit is None else f"  (target p50 < {limit * 1000:g} ms)"
        print(timing.line() + target + ("  <-- MISSED" if missed else ""))
    print("result:", "ok" if ok else "REGRESSION")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--database", help="an existing database to use (seeded unless it has invoices already)"
    )
    args = parser.parse_args()
    return asyncio.run(run(args.invoices, args.lines, args.repeat, args.explain, args.database))


if __name__ == "__main__":
    sys.exit(main())
