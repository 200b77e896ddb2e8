"""The invoice service's benchmark: a register of invoices loaded with COPY, and the requests
issue 12 times on it (invoice creation with 10 lines, payment posting, the aging report, the PDF).

Everything here is a plain function on a database URL (``seed_invoices``) or an in-process app
(``measure_invoices``), so the harness can wrap it in a case; ``bench/invoice_aging.py`` runs it
on its own.

The rows are what the service itself would have written: line amounts rounded half-up per line
(``net = round(q * price * (1 - discount/100))``, ``tax = round(net * rate/100)``), invoice totals
the sums of their lines, ``amount_paid`` the sum of the payments, ``balance_due`` the rest, one
tax record per rate of each issued invoice (and the negative rows of a void), numbers
``INV-YYYY-NNNNNN`` consecutive per issue year with ``number_sequences`` set to match.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from .cases import Case, Result, Seed, Target

if TYPE_CHECKING:
    from .cases import Bench

SCHEMA = "invoice_schema"
# The seed's "today" (the service's clock is real): issue dates end on it; payments and voids
# end the day before, so none is in the future.
TODAY = dt.datetime.now(dt.UTC).date()
YESTERDAY = TODAY - dt.timedelta(days=1)
YEARS = 3
CURRENCIES = (("EUR", 70), ("USD", 20), ("GBP", 10))  # all with cents
TAX_RATES = (0, 700, 1900, 2000)  # hundredths of a percent
METHODS = ("bank_transfer", "card", "cash", "other")
CHUNK = 10_000  # invoices per round of COPYs (bounded memory)


@dataclass
class SeedResult:
    customers: int = 0
    invoices: int = 0
    lines: int = 0
    payments: int = 0
    tax_records: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _cents(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def _status_of(rng: random.Random, age_days: int) -> str:
    """Older invoices are mostly settled; recent ones mostly still open."""
    roll = rng.random()
    if roll < 0.04:
        return "draft" if age_days < 60 else "void"
    if roll < 0.06:
        return "void"
    paid_share = 0.93 if age_days > 120 else 0.55 if age_days > 45 else 0.25
    roll = rng.random()
    if roll < paid_share:
        return "paid"
    if roll < paid_share + (1 - paid_share) / 3:
        return "partially_paid"
    return "issued"


def _rows(
    rng: random.Random, *, invoices: int, customers: int, lines_per_invoice: int
) -> Iterator[tuple[list[str], list[str], list[str], list[str], dict[str, int], dict[str, int]]]:
    """Chunks of COPY text (invoices, lines, payments, tax records), in id order."""
    currency_of = [
        rng.choices([c for c, _ in CURRENCIES], weights=[w for _, w in CURRENCIES])[0]
        for _ in range(customers + 1)
    ]
    terms_of = [rng.choice((14, 30, 30, 30, 60)) for _ in range(customers + 1)]
    span = YEARS * 365
    # Issue dates in id order, as a service issuing day by day would have them.
    offsets = sorted(rng.randrange(span) for _ in range(invoices))
    counters: dict[int, int] = {}
    by_status: dict[str, int] = {}
    start = TODAY - dt.timedelta(days=span - 1)
    for first in range(0, invoices, CHUNK):
        inv_rows: list[str] = []
        line_rows: list[str] = []
        pay_rows: list[str] = []
        tax_rows: list[str] = []
        for index in range(first, min(first + CHUNK, invoices)):
            invoice_id = index + 1
            customer_id = 1 + rng.randrange(customers)
            currency = currency_of[customer_id]
            issue = start + dt.timedelta(days=offsets[index])
            age = (TODAY - issue).days
            due = issue + dt.timedelta(days=terms_of[customer_id])
            status = _status_of(rng, age)
            voided_after_issue = status == "void" and rng.random() < 0.5
            by_status[status] = by_status.get(status, 0) + 1

            net_total = tax_total = 0
            per_rate: dict[int, list[int]] = {}
            for position in range(1, lines_per_invoice + 1):
                quantity = rng.randint(1, 10)
                price = rng.randint(100, 50_000)  # cents
                discount = 10 if rng.random() < 0.2 else 0
                rate = rng.choice(TAX_RATES)
                net = (quantity * price * (100 - discount) + 50) // 100
                tax = (net * rate + 5000) // 10000
                net_total += net
                tax_total += tax
                entry = per_rate.setdefault(rate, [0, 0])
                entry[0] += net
                entry[1] += tax
                line_rows.append(
                    f"{invoice_id}\t{position}\tService {position} of invoice {invoice_id}"
                    f"\t{quantity}.000\t{_cents(price)}\t{discount}.00\t{_cents(rate)}"
                    f"\t{_cents(net)}\t{_cents(tax)}\t{_cents(net + tax)}\n"
                )
            total = net_total + tax_total

            number = r"\N"
            issued_at = voided_at = void_reason = r"\N"
            if status != "draft" and (status != "void" or voided_after_issue):
                counters[issue.year] = counters.get(issue.year, 0) + 1
                number = f"INV-{issue.year:04d}-{counters[issue.year]:06d}"
                issued_at = f"{issue.isoformat()} 09:00:00+00"
                for rate, (taxable, tax) in sorted(per_rate.items()):
                    tax_rows.append(
                        f"invoice\t{invoice_id}\t{issue.isoformat()}\t{currency}"
                        f"\t{_cents(rate)}\t{_cents(taxable)}\t{_cents(tax)}\n"
                    )
            if status == "void":
                void_day = min(issue + dt.timedelta(days=rng.randint(0, 20)), YESTERDAY)
                voided_at = f"{void_day.isoformat()} 15:00:00+00"
                void_reason = "Raised in error"
                if voided_after_issue:
                    for rate, (taxable, tax) in sorted(per_rate.items()):
                        tax_rows.append(
                            f"void\t{invoice_id}\t{void_day.isoformat()}\t{currency}"
                            f"\t{_cents(rate)}\t{_cents(-taxable)}\t{_cents(-tax)}\n"
                        )

            paid = 0
            if status in ("paid", "partially_paid") and total > 0:
                if status == "paid":
                    half = total // 2
                    parts = [total] if rng.random() < 0.8 or total < 2 else [half, total - half]
                else:
                    parts = [min(total - 1, max(1, total * rng.randint(10, 90) // 100))]
                day = issue
                for amount in parts:
                    if amount <= 0:
                        continue
                    day = max(issue, min(day + dt.timedelta(days=rng.randint(1, 60)), YESTERDAY))
                    paid += amount
                    pay_rows.append(
                        f"{invoice_id}\tpayment\t{_cents(amount)}\t{day.isoformat()} 11:00:00+00"
                        f"\t{rng.choice(METHODS)}\tBANK-{invoice_id}\tbench\n"
                    )
            if status in ("paid", "partially_paid") and paid == 0:
                status = "issued"  # nothing could be paid (a zero total)
            if status == "paid" and paid != total:
                status = "partially_paid"
            balance = total - paid  # a void keeps its balance (as void_invoice does)
            inv_rows.append(
                f"{invoice_id}\t{number}\t{customer_id}\t{status}\t{issue.isoformat()}"
                f"\t{due.isoformat()}\t{currency}\t{_cents(net_total)}\t{_cents(tax_total)}"
                f"\t{_cents(total)}\t{_cents(paid)}\t0.00\t{_cents(balance)}\t{issued_at}"
                f"\t{voided_at}\t{void_reason}\tbench\tbench\n"
            )
        yield inv_rows, line_rows, pay_rows, tax_rows, counters, by_status


INVOICE_COLUMNS = (
    "id, number, customer_id, status, issue_date, due_date, currency, subtotal, tax_total,"
    " total, amount_paid, credited_total, balance_due, issued_at, voided_at, void_reason,"
    " created_by, updated_by"
)
LINE_COLUMNS = (
    "invoice_id, position, description, quantity, unit_price, discount_percent, tax_rate,"
    " net_amount, tax_amount, total"
)
PAYMENT_COLUMNS = "invoice_id, kind, amount, paid_at, method, reference, created_by"
TAX_COLUMNS = "source, invoice_id, record_date, currency, tax_rate, taxable_amount, tax_amount"


def _copy(cursor: psycopg.Cursor[Any], table: str, columns: str, rows: list[str]) -> None:
    if not rows:
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(SCHEMA, table), sql.SQL(columns)
    )
    with cursor.copy(statement) as copy:
        copy.write("".join(rows))


def copy_invoices(
    connection: psycopg.Connection[Any],
    *,
    invoices: int = 200_000,
    lines_per_invoice: int = 5,
    customers: int = 2_000,
    seed: int = 12,
) -> SeedResult:
    """COPY ``customers`` customers and ``invoices`` invoices with their lines, payments and tax
    records into a migrated, empty invoice schema, and set the sequences (ids, and the invoice
    numbers per year) so the service can insert after them. Does not commit."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data)
    result = SeedResult(customers=customers, invoices=invoices)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        customer_rows = [
            f"{n}\tCustomer {n:05d} Ltd\tbilling{n}@example.com\t{n} Harbour Road\\nPort Town"
            f"\tTAX{n:08d}\tEUR\t30\n"
            for n in range(1, customers + 1)
        ]
        _copy(
            cursor,
            "customers",
            "id, name, email, billing_address, tax_id, currency, payment_terms_days",
            customer_rows,
        )
        counters: dict[int, int] = {}
        by_status: dict[str, int] = {}
        for chunk in _rows(
            rng, invoices=invoices, customers=customers, lines_per_invoice=lines_per_invoice
        ):
            inv_rows, line_rows, pay_rows, tax_rows, counters, by_status = chunk
            _copy(cursor, "invoices", INVOICE_COLUMNS, inv_rows)
            _copy(cursor, "line_items", LINE_COLUMNS, line_rows)
            _copy(cursor, "payments", PAYMENT_COLUMNS, pay_rows)
            _copy(cursor, "tax_records", TAX_COLUMNS, tax_rows)
            result.lines += len(line_rows)
            result.payments += len(pay_rows)
            result.tax_records += len(tax_rows)
        # The customers' currencies as their invoices have them (the generator drew them).
        cursor.execute(
            "UPDATE invoice_schema.customers c SET currency = i.currency"
            " FROM (SELECT DISTINCT ON (customer_id) customer_id, currency"
            " FROM invoice_schema.invoices ORDER BY customer_id, id) i WHERE i.customer_id = c.id"
        )
        for year, last in counters.items():
            cursor.execute(
                "INSERT INTO invoice_schema.number_sequences (kind, year, last_value)"
                " VALUES ('INV', %s, %s)",
                (year, last),
            )
        for table in ("customers", "invoices", "line_items", "payments", "tax_records"):
            cursor.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({name}, 'id'),"
                    " (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                ).format(name=sql.Literal(f"{SCHEMA}.{table}"), table=sql.Identifier(SCHEMA, table))
            )
        result.by_status = dict(sorted(by_status.items()))
    result.seconds = time.perf_counter() - started
    return result


def seed_invoices(
    conninfo: str,
    *,
    invoices: int = 200_000,
    lines_per_invoice: int = 5,
    customers: int = 2_000,
    seed: int = 12,
) -> SeedResult:
    """:func:`copy_invoices` on ``conninfo``, committed, then VACUUM ANALYZE (the visibility map
    lets the reports scan indexes only). ``seconds`` includes both."""
    started = time.perf_counter()
    with psycopg.connect(conninfo) as connection:
        result = copy_invoices(
            connection,
            invoices=invoices,
            lines_per_invoice=lines_per_invoice,
            customers=customers,
            seed=seed,
        )
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"VACUUM (ANALYZE) {SCHEMA}.invoices, {SCHEMA}.payments")
        connection.execute("ANALYZE")
    result.seconds = time.perf_counter() - started
    return result


# --- Requests: what the harness times one by one and loads with autocannon -------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def create_invoice_request(
    headers: dict[str, str], *, customer_id: int = 1, lines: int = 10
) -> Request:
    """``POST /api/v1/invoices``: a draft with ``lines`` lines (two tax rates, a discount)."""
    return Request(
        "POST",
        "/api/v1/invoices",
        {
            "customer_id": customer_id,
            "notes": "bench",
            "lines": [
                {
                    "description": f"Consulting, day {n + 1}",
                    "quantity": str(1 + n % 3),
                    "unit_price": f"{100 + 7 * n}.50",
                    "discount_percent": "5" if n % 4 == 0 else "0",
                    "tax_rate": "19" if n % 2 else "7",
                }
                for n in range(lines)
            ],
        },
        headers,
    )


def open_invoice_ids(conninfo: str | psycopg.Connection[Any], count: int) -> list[int]:
    """Issued invoices with money still owed, the most recent first (payment targets)."""
    with contextlib.ExitStack() as stack:
        connection = (
            stack.enter_context(psycopg.connect(conninfo))
            if isinstance(conninfo, str)
            else conninfo
        )
        rows = connection.execute(
            "SELECT id FROM invoice_schema.invoices WHERE status IN ('issued', 'partially_paid')"
            " AND balance_due >= 1 ORDER BY id DESC LIMIT %s",
            (count,),
        ).fetchall()
    return [row[0] for row in rows]


def payment_request(headers: dict[str, str], invoice_id: int) -> Request:
    """``POST /api/v1/invoices/{id}/payments`` of one cent (repeatable until the balance is 0)."""
    return Request(
        "POST",
        f"/api/v1/invoices/{invoice_id}/payments",
        {"amount": "0.01", "method": "bank_transfer", "reference": "bench"},
        headers,
    )


def aging_request(headers: dict[str, str], as_of: dt.date | None = TODAY) -> Request:
    path = "/api/v1/invoices/aging" + (f"?as_of={as_of.isoformat()}" if as_of else "")
    return Request("GET", path, None, headers)


def pdf_request(headers: dict[str, str], invoice_id: int) -> Request:
    return Request("GET", f"/api/v1/invoices/{invoice_id}/pdf", None, headers)


# --- Timing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    name: str
    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]

    def line(self) -> str:
        return (
            f"{self.name:44} n={len(self.samples):4d}  p50 {self.p50 * 1000:8.1f} ms"
            f"  p99 {self.p99 * 1000:8.1f} ms"
        )


async def timed(
    name: str, send: Callable[[], Awaitable[Any]], repeat: int, *, warmup: int = 2
) -> Timing:
    for _ in range(warmup):
        await send()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await send()
        samples.append(time.perf_counter() - start)
    return Timing(name, samples)


async def send(client: Any, request: Request, *, expect: int) -> Any:
    response = await client.request(
        request.method, request.path, json=request.body, headers=request.headers
    )
    assert response.status_code == expect, (request.path, response.status_code, response.text)
    return response


# --- bench/run.py plug-in (tbbench.cases) -----------------------------------------------------

AGING_LIMIT_MS = 1000.0
PDF_LIMIT_MS = 50.0
PAYMENT_TARGETS = 500  # open invoices the payment load cycles through (one cent each)


def _seed(bench: Bench, connection: psycopg.Connection[Any]) -> dict[str, int]:
    sizes = bench.sizes
    result = copy_invoices(
        connection, invoices=sizes.invoices, lines_per_invoice=sizes.lines_per_invoice
    )
    bench.facts["invoice_payment_targets"] = open_invoice_ids(connection, PAYMENT_TARGETS)
    paid = connection.execute(
        "SELECT max(id) FROM invoice_schema.invoices WHERE status = 'paid'"
    ).fetchone()
    bench.facts["invoice_pdf_id"] = int(paid[0]) if paid and paid[0] else 1
    return {
        f"{SCHEMA}.customers": result.customers,
        f"{SCHEMA}.invoices": result.invoices,
        f"{SCHEMA}.line_items": result.lines,
        f"{SCHEMA}.payments": result.payments,
        f"{SCHEMA}.tax_records": result.tax_records,
    }


def _base(bench: Bench) -> str:
    return bench.services["invoice-service"].rstrip("/")


def _autocannon(request: Request) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "headers": {**request.headers, "content-type": "application/json"},
        "body": json.dumps(request.body) if request.body is not None else None,
    }


def _create_case(bench: Bench) -> list[Result]:
    request = create_invoice_request(bench.headers("accountant"))
    run = bench.load(
        _base(bench) + request.path, method="POST", body=request.body, headers=request.headers
    )
    return [Result.of_load("invoice create (10 lines)", run)]


def _payment_case(bench: Bench) -> list[Result]:
    headers = bench.headers("accountant")
    requests = [
        _autocannon(payment_request(headers, invoice_id))
        for invoice_id in bench.facts["invoice_payment_targets"]
    ]
    run = bench.load(_base(bench) + requests[0]["path"], method="POST", requests=requests)
    return [Result.of_load("payment posting", run)]


def _aging_case(bench: Bench) -> list[Result]:
    # A latency target: one request at a time (64 connections would queue behind one another).
    request = aging_request(bench.headers("accountant"), as_of=None)
    run = bench.load(_base(bench) + request.path, headers=request.headers, connections=1)
    past = aging_request(bench.headers("accountant"), as_of=TODAY - dt.timedelta(days=365))
    run_past = bench.load(_base(bench) + past.path, headers=past.headers, connections=1)
    return [
        Result.of_load(
            "aging report",
            run,
            targets=[Target("aging p50", run.p50_ms, AGING_LIMIT_MS, "<", " ms")],
            note="1 connection",
        ),
        Result.of_load(
            "aging report (as of a year ago)",
            run_past,
            targets=[Target("aging a year ago p50", run_past.p50_ms, AGING_LIMIT_MS, "<", " ms")],
            note="1 connection",
        ),
    ]


def _pdf_case(bench: Bench) -> list[Result]:
    request = pdf_request(bench.headers("accountant"), bench.facts["invoice_pdf_id"])
    single = bench.load(_base(bench) + request.path, headers=request.headers, connections=1)
    loaded = bench.load(_base(bench) + request.path, headers=request.headers)
    return [
        Result.of_load(
            "invoice PDF",
            single,
            targets=[Target("invoice PDF p50", single.p50_ms, PDF_LIMIT_MS, "<", " ms")],
            note="1 connection",
        ),
        Result.of_load("invoice PDF (loaded)", loaded),
    ]


SEEDS = [Seed("invoices", _seed)]
CASES = [
    Case("invoice create (10 lines)", _create_case),
    Case("payment posting", _payment_case),
    Case("aging report", _aging_case),
    Case("invoice PDF", _pdf_case),
]


__all__ = [
    "CASES",
    "SEEDS",
    "TODAY",
    "Request",
    "SeedResult",
    "Timing",
    "aging_request",
    "copy_invoices",
    "create_invoice_request",
    "open_invoice_ids",
    "payment_request",
    "pdf_request",
    "seed_invoices",
    "send",
    "timed",
]
