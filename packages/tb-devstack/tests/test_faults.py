"""Faults under load, on the whole ERP as `up` runs it: a service killed with SIGKILL in the middle
of writes, the database dropping every connection (and refusing new ones for a while), the broker
gone for a minute.

What a fault may cost: requests that fail while it lasts — a refused or dropped connection when
the server is dead, a clean 503 in the error shape when the database is. What it may never cost:
a half-written or overpaid invoice, a 500, a hang, a restart by hand, an event lost or applied
twice.

One stack for the module; each test leaves it serving. Long (a minute of broker outage alone):
CI runs them, ``pytest -m 'not long'`` skips them. Each test prints its figures (``-s``). The
first test, quick, checks on stand-ins what the others rely on: ``DevStack.kill`` and ``restart``.
"""

from __future__ import annotations

import email
import email.policy
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import redis
from conftest import PYTHON, TESTS, alive, make_stack, service_pid, stand_in
from erp_stack import (
    ASSETS,
    DASHBOARD,
    EMPLOYEES,
    INVOICES,
    NOTIFICATIONS,
    database_url,
    eventually,
    login,
    running_erp,
    url,
)
from psycopg.rows import dict_row

from tb_devstack.backing import REDIS
from tb_devstack.ports import port_in_use
from tb_devstack.stack import DevStack, StackError

CENT = Decimal("0.01")
# A request that has not been answered after this long counts as a hang.
CLIENT_TIMEOUT = 30.0
# How long the broker stays down.
BROKER_OUTAGE_SECONDS = 60.0
# Waits for something that must happen (a restart, events catching up): generous, the machine
# is shared. Correctness is asserted exactly, not within a time.
SETTLE_SECONDS = 120.0

SERVICES = (EMPLOYEES, ASSETS, INVOICES, DASHBOARD, NOTIFICATIONS)

# Each consumer the tests count, the schema whose outbox feeds it, and the types it applies.
CONSUMERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dashboard-service.employees": (
        "employee_schema",
        ("employee.created", "employee.updated", "employee.deleted"),
    ),
    "dashboard-service.assets": (
        "asset_schema",
        ("asset.created", "asset.updated", "asset.assigned", "asset.returned", "asset.disposed"),
    ),
    "dashboard-service.invoices": (
        "invoice_schema",
        (
            "invoice.issued",
            "invoice.voided",
            "invoice.credited",
            "invoice.paid",
            "payment.recorded",
        ),
    ),
    "notification-service.receipts": ("invoice_schema", ("invoice.paid",)),
}
CONSUMER_SCHEMAS = {
    "dashboard-service": "dashboard_schema",
    "notification-service": "notification_schema",
}
EVENT_SCHEMAS = (
    "employee_schema",
    "asset_schema",
    "invoice_schema",
    "dashboard_schema",
    "notification_schema",
)


@pytest.fixture(scope="module")
def erp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    # Receipts whose PDF could not be fetched (the invoice service killed) are retried after
    # 1, 2, 4, 5… s rather than 30 s, 1 min…: the test waits for them.
    with running_erp(
        tmp_path_factory.mktemp("faults"),
        NOTIFICATION_RETRY_BASE_SECONDS="1",
        NOTIFICATION_RETRY_CAP_SECONDS="5",
    ) as stack:
        yield stack


# -- the clients ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One request as its client saw it."""

    what: str
    sent: float  # time.monotonic() when it was sent
    took: float
    status: int | None  # None: no HTTP answer
    kind: str  # "201", "503 database_unavailable", "refused", "dropped", "hang"
    shaped: bool  # an error answered in the one error shape {"detail", "code"}


@dataclass
class Calls:
    """Every request the clients made, and what came of it."""

    outcomes: list[Outcome] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(
        self, http: httpx.Client, what: str, method: str, target: str, **options: Any
    ) -> tuple[httpx.Response | None, str]:
        """Send one request: its answer (None when none came) and the kind of outcome."""
        sent = time.monotonic()
        response: httpx.Response | None = None
        try:
            response = http.request(method, target, **options)
        except httpx.TimeoutException:
            kind = "hang"
        except httpx.ConnectError:  # nothing listens: the request never reached a server
            kind = "refused"
        except httpx.TransportError:  # the connection broke: the outcome is not known
            kind = "dropped"
        else:
            kind = _kind(response)
        outcome = Outcome(
            what=what,
            sent=sent,
            took=time.monotonic() - sent,
            status=response.status_code if response is not None else None,
            kind=kind,
            shaped=response is not None and _shaped(response),
        )
        with self._lock:
            self.outcomes.append(outcome)
        if kind == "refused":
            time.sleep(0.1)  # as a client backs off from a dead server, rather than spin
        return response, kind

    def between(self, start: float = 0.0, end: float = float("inf")) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if start <= o.sent < end]

    def tally(self, start: float = 0.0, end: float = float("inf")) -> Counter[str]:
        return Counter(o.kind for o in self.between(start, end))


def _kind(response: httpx.Response) -> str:
    if response.status_code < 400:
        return str(response.status_code)
    try:
        code = response.json().get("code")
    except ValueError:
        code = "(not JSON)"
    return f"{response.status_code} {code}"


def _shaped(response: httpx.Response) -> bool:
    if response.status_code < 400:
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and {"detail", "code"} <= body.keys()


@contextmanager
def clients(
    *loops: Callable[[httpx.Client], None], headers: dict[str, str]
) -> Iterator[threading.Event]:
    """Run each loop body over and over in a thread of its own (own HTTP client) until the
    block ends; an assertion failing in one is raised when the block ends."""
    stop = threading.Event()

    def run(body: Callable[[httpx.Client], None]) -> None:
        with httpx.Client(headers=headers, timeout=CLIENT_TIMEOUT) as http:
            while not stop.is_set():
                body(http)

    with ThreadPoolExecutor(max_workers=len(loops)) as pool:
        futures = [pool.submit(run, body) for body in loops]
        try:
            yield stop
        finally:
            stop.set()
            for future in futures:
                future.result()


def paced(seconds: float, body: Callable[[httpx.Client], None]) -> Callable[[httpx.Client], None]:
    """``body``, then a pause: a steady load rather than as fast as the machine allows."""

    def loop(http: httpx.Client) -> None:
        body(http)
        time.sleep(seconds)

    return loop


# -- the database --------------------------------------------------------------------------------


def connect(stack: DevStack) -> psycopg.Connection[dict[str, Any]]:
    return psycopg.connect(database_url(stack), autocommit=True, row_factory=dict_row)


@contextmanager
def server_admin(stack: DevStack) -> Iterator[tuple[psycopg.Connection[Any], str]]:
    """A connection to the server's ``postgres`` database (never cut by the tests' kills), and
    the name of the stack's database."""
    parts = urlsplit(database_url(stack))
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        yield admin, name


def terminate_backends(admin: psycopg.Connection[Any], database: str) -> int:
    """pg_terminate_backend every connection to ``database``; how many there were."""
    row = admin.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,),
    ).fetchone()
    return int(row[0]) if row else 0


def lost_events(stack: DevStack) -> dict[str, int]:
    """What the events have not (yet) carried: per outbox, the rows not published; per consumer,
    the events of its types that are in its source's outbox and not in its inbox (lost, or not
    there yet) and those in its inbox and not in the outbox (from nowhere); the dead letters.
    All zeros: every cause has had its effect, once."""
    gaps: dict[str, int] = {}
    with connect(stack) as db:
        for schema in ("employee_schema", "asset_schema", "invoice_schema"):
            row = db.execute(
                f"SELECT count(*) AS n FROM {schema}.outbox WHERE published_at IS NULL"  # noqa: S608
            ).fetchone()
            gaps[f"{schema} unpublished"] = row["n"] if row else -1
        for consumer, (source, types) in CONSUMERS.items():
            inbox = CONSUMER_SCHEMAS[consumer.split(".")[0]]
            caused = {
                r["event_id"]
                for r in db.execute(
                    f"SELECT event_id FROM {source}.outbox WHERE type = ANY(%s)",  # noqa: S608
                    (list(types),),
                )
            }
            applied = {
                r["event_id"]
                for r in db.execute(
                    f"SELECT event_id FROM {inbox}.inbox WHERE consumer = %s",  # noqa: S608
                    (consumer,),
                )
            }
            gaps[f"{consumer} missing"] = len(caused - applied)
            gaps[f"{consumer} unexplained"] = len(applied - caused)
        for schema in EVENT_SCHEMAS:
            row = db.execute(f"SELECT count(*) AS n FROM {schema}.dead_letters").fetchone()  # noqa: S608
            gaps[f"{schema} dead letters"] = row["n"] if row else -1
    return gaps


def events_caught_up(stack: DevStack, *, within: float = SETTLE_SECONDS) -> float:
    """Wait until every event has had its effect (see ``lost_events``); the seconds it took.
    Fails naming the gaps left."""
    started = time.monotonic()
    deadline = started + within
    while True:
        gaps = lost_events(stack)
        if not any(gaps.values()):
            return time.monotonic() - started
        if time.monotonic() > deadline:
            pytest.fail(f"events not caught up after {within:.0f} s: {_nonzero(gaps)}")
        time.sleep(0.5)


def _nonzero(figures: dict[str, int]) -> dict[str, int]:
    return {name: value for name, value in figures.items() if value}


# -- the scenarios' writes -----------------------------------------------------------------------


def create_customers(stack: DevStack, headers: dict[str, str], label: str) -> list[int]:
    ids = []
    for currency in ("EUR", "CHF"):
        answer = httpx.post(
            url(stack, INVOICES) + "/api/v1/customers",
            json={
                "name": f"{label} {currency} {uuid.uuid4().hex[:6]}",
                "email": f"{label.lower()}-{currency.lower()}@faults.example",
                "currency": currency,
            },
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def random_lines(rng: random.Random, count: int) -> list[dict[str, str]]:
    return [
        {
            "description": f"Fault test line {position} {uuid.uuid4().hex[:8]}",
            "quantity": rng.choice(["1", "2", "3", "1.5", "0.25"]),
            "unit_price": f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}",
            "tax_rate": rng.choice(["0", "7.7", "19"]),
        }
        for position in range(count)
    ]


def asset_body(category_id: int, label: str) -> dict[str, Any]:
    return {
        "name": f"{label} laptop {uuid.uuid4().hex[:8]}",
        "category_id": category_id,
        "purchase_date": "2026-01-15",
        "purchase_cost": "1200.00",
        "currency": "EUR",
    }


def first_category(stack: DevStack, headers: dict[str, str]) -> int:
    answer = httpx.get(url(stack, ASSETS) + "/api/v1/categories", headers=headers)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["items"][0]["id"])


def receipts(root: Path) -> Counter[str]:
    """How many receipt mails the SMTP sink holds per subject."""
    new = root / ".data" / "smtp-sink" / "new"
    subjects = (
        str(email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"])
        for path in new.glob("*")
    )
    return Counter(subject for subject in subjects if subject.startswith("Payment received"))


def all_mail_sent(stack: DevStack) -> bool:
    """The notification service has sent every notification it recorded (none waiting); fails
    if it gave one up."""
    with connect(stack) as db:
        statuses = Counter(
            {
                row["status"]: row["n"]
                for row in db.execute(
                    "SELECT status, count(*) AS n FROM notification_schema.notifications"
                    " GROUP BY status"
                )
            }
        )
    assert not statuses["failed"], f"notifications given up: {statuses}"
    return not statuses["pending"] and not statuses["sending"]


def receipt_subject(number: str) -> str:
    return f"Payment received — invoice {number}"


# -- 0. What the fault tests do to a stack ------------------------------------------------------


def test_kill_ends_a_servers_whole_group_and_restart_brings_it_back_in_its_place(
    root: Path, postgres_url: str
) -> None:
    # The server behind a wrapper, as behind `uv run` or uvicorn's supervisor: the group leader
    # is the shell, the server its child.
    server = TESTS / "stand_in_server.py"
    pid_file = root / "wrapped.pid"
    wrapped = stand_in(
        "wrapped-service",
        root,
        serve=("/bin/sh", "-c", f'"{PYTHON}" "{server}" {{port}} "{pid_file}" & wait'),
    )
    with make_stack(
        root, wrapped, stand_in("plain-service", root), backing=(REDIS,), DATABASE_URL=postgres_url
    ) as stack:
        order = [r.name for r in stack.running]
        leader = stack.process("wrapped-service")
        first_server = service_pid(root, "wrapped")
        assert first_server != leader.process.pid
        port = urlsplit(leader.url).port
        assert port is not None

        assert stack.kill("wrapped-service") == -signal.SIGKILL
        assert not alive(first_server), "the server behind the wrapper died too"
        assert not port_in_use(port)
        with pytest.raises(StackError, match="still running"):
            stack.restart("plain-service")

        again = stack.restart("wrapped-service")
        assert httpx.get(again.url + "/ready").status_code == 200
        assert service_pid(root, "wrapped") != first_server
        assert [r.name for r in stack.running] == order  # in its place: stopped in order
        assert again.log_path.read_text().count("restarting wrapped-service") == 1

        # The stack's Redis, killed, comes back on its port with what it had answered.
        client = redis.Redis.from_url(stack._env["REDIS_URL"])
        client.xadd("tb-erp.events", {"type": "kept.across.a.crash"})
        stack.kill("redis")
        with pytest.raises(redis.ConnectionError):
            client.ping()
        stack.restart("redis")
        assert client.xlen("tb-erp.events") == 1
        client.close()
    assert stack.stop_problems == []
    assert not alive(service_pid(root, "wrapped"))


# -- 1. SIGKILL in the middle of invoicing -------------------------------------------------------

INVOICE_FIGURES = """
SELECT i.id, i.customer_id, i.status, i.subtotal, i.tax_total, i.total, i.amount_paid,
       i.credited_total, i.balance_due,
       coalesce(l.count, 0) AS line_count, coalesce(l.net, 0) AS lines_net,
       coalesce(l.tax, 0) AS lines_tax, coalesce(l.total, 0) AS lines_total,
       coalesce(p.count, 0) AS payment_count, coalesce(p.amount, 0) AS payments
FROM invoice_schema.invoices i
LEFT JOIN (
    SELECT invoice_id, count(*) AS count, sum(net_amount) AS net, sum(tax_amount) AS tax,
           sum(total) AS total
    FROM invoice_schema.line_items GROUP BY invoice_id
) l ON l.invoice_id = i.id
LEFT JOIN (
    SELECT invoice_id, count(*) AS count, sum(amount) AS amount
    FROM invoice_schema.payments GROUP BY invoice_id
) p ON p.invoice_id = i.id
"""


@pytest.mark.long
def test_a_service_killed_mid_write_leaves_no_half_written_invoice_and_serves_after_restart(
    erp: DevStack,
) -> None:
    accountant = login(erp, "accountant")
    invoices = url(erp, INVOICES)
    customers = create_customers(erp, accountant, "Killed")
    calls = Calls()
    sent_lines: dict[int, list[dict[str, str]]] = {}  # every invoice answered 201: its lines
    issued: list[tuple[int, Decimal]] = []  # (id, total)
    paid: dict[int, tuple[int, Decimal]] = {}  # every payment answered 201: (invoice, amount)
    unanswered: list[tuple[int, dict[str, str], str]] = []  # (invoice, body, Idempotency-Key)
    seeds = iter(range(100))

    def invoicing(http: httpx.Client) -> None:
        rng = random.Random(next(seeds, None))
        lines = random_lines(rng, rng.randint(2, 5))
        created, _ = calls(
            http,
            "create invoice",
            "POST",
            invoices + "/api/v1/invoices",
            json={"customer_id": rng.choice(customers), "lines": lines},
        )
        if created is None or created.status_code != 201:
            return
        invoice = created.json()
        sent_lines[invoice["id"]] = lines
        issue, _ = calls(http, "issue", "POST", f"{invoices}/api/v1/invoices/{invoice['id']}/issue")
        if issue is not None and issue.status_code == 200:
            issued.append((invoice["id"], Decimal(issue.json()["total"])))

    def paying(http: httpx.Client) -> None:
        rng = random.Random()
        if not issued:
            time.sleep(0.05)
            return
        # The newest few invoices: several payers pay the same one at the same time, in shares
        # that together exceed its total, so that the rule "never more than the total" is raced.
        invoice_id, total = rng.choice(issued[-3:])
        share = rng.choice([Decimal(1), Decimal("0.5"), Decimal("0.4")])
        body = {"amount": str(max(CENT, (total * share).quantize(CENT))), "method": "bank_transfer"}
        key = uuid.uuid4().hex
        answer, kind = calls(
            http,
            "pay",
            "POST",
            f"{invoices}/api/v1/invoices/{invoice_id}/payments",
            json=body,
            headers={"Idempotency-Key": key},
        )
        if kind in ("dropped", "hang"):  # sent, and perhaps recorded: the answer is lost
            unanswered.append((invoice_id, body, key))
        elif answer is not None and answer.status_code == 201:
            paid[answer.json()["id"]] = (invoice_id, Decimal(body["amount"]))

    server = erp.process(INVOICES)
    port = urlsplit(server.url).port
    assert port is not None
    loops = [paced(0.01, invoicing)] * 3 + [paced(0.01, paying)] * 3
    with clients(*loops, headers=accountant):
        eventually(lambda: len(sent_lines) >= 10 and len(paid) >= 5, within=SETTLE_SECONDS)
        killed_at = time.monotonic()
        status = erp.kill(INVOICES, signal.SIGKILL)
        assert status == -signal.SIGKILL
        assert not port_in_use(port), "the real server died: nothing listens on its port"
        time.sleep(1.0)  # the clients keep trying against the dead port
        restarting_at = time.monotonic()
        erp.restart(INVOICES)  # returns once /ready answers 200
        back_at = time.monotonic()
        assert httpx.get(server.url + "/ready").status_code == 200
        eventually(lambda: calls.tally(back_at).get("201", 0) >= 5, within=SETTLE_SECONDS)
        time.sleep(2.0)

    # Payments whose answer was lost: sent again with their key, each is recorded exactly once —
    # answered as a replay if the first one had committed, recorded now if it had not (or 422:
    # meanwhile other payments left less to pay).
    replayed = 0
    for invoice_id, body, key in unanswered:
        again = httpx.post(
            f"{invoices}/api/v1/invoices/{invoice_id}/payments",
            json=body,
            headers={**accountant, "Idempotency-Key": key},
        )
        assert again.status_code in (201, 422), again.text
        if again.status_code == 201:
            paid[again.json()["id"]] = (invoice_id, Decimal(body["amount"]))
            replayed += again.headers.get("Idempotent-Replayed") == "true"

    # In the database: every invoice whole, every total the sum of its lines, what was paid the
    # sum of its payments and never more than the total.
    with connect(erp) as db:
        rows = {row["id"]: row for row in db.execute(INVOICE_FIGURES)}
        payments = {
            row["id"]: (row["invoice_id"], row["amount"])
            for row in db.execute("SELECT id, invoice_id, amount FROM invoice_schema.payments")
        }
    for row in rows.values():
        figures = f"invoice {row['id']}: {row}"
        assert row["subtotal"] == row["lines_net"], figures
        assert row["tax_total"] == row["lines_tax"], figures
        assert row["total"] == row["lines_total"], figures
        assert row["amount_paid"] == row["payments"], figures
        assert row["amount_paid"] + row["credited_total"] <= row["total"], figures
        assert row["balance_due"] == row["total"] - row["credited_total"] - row["amount_paid"]
        if row["status"] in ("issued", "partially_paid", "paid"):
            assert (row["status"] == "paid") == (row["balance_due"] == 0), figures
    ours = {id_: row for id_, row in rows.items() if row["customer_id"] in customers}
    for id_, row in ours.items():
        assert row["line_count"] >= 2, f"invoice {id_} is half-written: {row}"
    assert set(sent_lines) <= set(ours), "an invoice answered 201 is not in the database"
    for id_, lines in sent_lines.items():
        assert ours[id_]["line_count"] == len(lines), f"invoice {id_} lost lines"
    for payment_id, (invoice_id, amount) in paid.items():
        assert payments.get(payment_id) == (invoice_id, amount), f"payment {payment_id} lost"

    # Through the API, as a client reads them.
    with httpx.Client(headers=accountant, timeout=CLIENT_TIMEOUT) as http:
        for id_ in ours:
            invoice = http.get(f"{invoices}/api/v1/invoices/{id_}").json()
            total = Decimal(invoice["total"])
            assert sum(Decimal(line["total"]) for line in invoice["lines"]) == total, invoice
            paid_sum = sum(Decimal(p["amount"]) for p in invoice["payments"])
            assert paid_sum == Decimal(invoice["amount_paid"]) <= total, invoice
            if id_ in sent_lines:
                assert [line["description"] for line in invoice["lines"]] == [
                    line["description"] for line in sent_lines[id_]
                ]

    # The worker carried on: every event of the invoices reached the dashboard and the receipts,
    # and the dashboard's figures are the invoice service's.
    catch_up = events_caught_up(erp)
    with connect(erp) as db:
        source = {
            (r["id"], r["status"], r["total"], r["amount_paid"])
            for r in db.execute(
                "SELECT id, status, total, amount_paid FROM invoice_schema.invoices"
                " WHERE customer_id = ANY(%s) AND status <> 'draft'",
                (customers,),
            )
        }
        shown = {
            (r["id"], r["status"], r["total"], r["amount_paid"])
            for r in db.execute(
                "SELECT id, status, total, amount_paid FROM dashboard_schema.invoices"
                " WHERE id = ANY(%s)",
                (list(ours),),
            )
        }
        dashboard_payments = {
            r["id"]
            for r in db.execute(
                "SELECT id FROM dashboard_schema.payments WHERE invoice_id = ANY(%s)", (list(ours),)
            )
        }
    assert shown == source
    assert dashboard_payments == {p for p, (i, _) in payments.items() if i in ours}
    # One receipt for each invoice paid in full, none twice: the sender fetches the PDF from the
    # invoice service, and retried those it could not fetch while it was dead.
    with connect(erp) as db:
        numbers = [
            r["number"]
            for r in db.execute(
                "SELECT number FROM invoice_schema.invoices"
                " WHERE customer_id = ANY(%s) AND status = 'paid'",
                (customers,),
            )
        ]
    expected = Counter(receipt_subject(number) for number in numbers)
    eventually(lambda: all_mail_sent(erp), within=SETTLE_SECONDS)
    mails = receipts(erp.root)
    assert {subject: mails[subject] for subject in expected} == expected

    during = calls.tally(killed_at, restarting_at)
    print(
        f"\n[kill -9] requests {len(calls.outcomes)}, by kind {dict(calls.tally())};"
        f" sent while it was dead {dict(during)}; invoices answered 201: {len(sent_lines)}, in the database:"
        f" {len(ours)} (committed, answer lost: {len(set(ours) - set(sent_lines))});"
        f" payments answered 201: {len(paid)} (of them replays of lost answers: {replayed});"
        f" paid in full: {sum(r['status'] == 'paid' for r in ours.values())};"
        f" restart to /ready 200: {back_at - restarting_at:.1f} s, down for"
        f" {back_at - killed_at:.1f} s; events caught up {catch_up:.1f} s after"
    )
    assert during.get("dropped", 0) + during.get("refused", 0) > 0, "the kill hit no request"
    assert not calls.tally()["hang"]
    assert not [o for o in calls.outcomes if o.status is not None and o.status >= 500]
    assert erp.first_exited() is None


# -- 2. The database drops every connection ------------------------------------------------------


def mixed_load(
    stack: DevStack, calls: Calls, admin: dict[str, str]
) -> list[Callable[[httpx.Client], None]]:
    """Reads of every service and writes of two, each in a loop of its own."""
    category = first_category(stack, admin)
    (customer, _) = create_customers(stack, admin, "Cut")
    reads = {
        EMPLOYEES: "/api/v1/employees?limit=5",
        ASSETS: "/api/v1/assets?limit=5",
        INVOICES: "/api/v1/invoices?limit=5",
        DASHBOARD: "/api/v1/dashboard/summary",
        NOTIFICATIONS: "/api/v1/notifications?limit=5",
    }

    def reader(service: str) -> Callable[[httpx.Client], None]:
        def read(http: httpx.Client) -> None:
            calls(http, f"read {service}", "GET", url(stack, service) + reads[service])

        return read

    def create_asset(http: httpx.Client) -> None:
        calls(
            http,
            "create asset",
            "POST",
            url(stack, ASSETS) + "/api/v1/assets",
            json=asset_body(category, "Cut"),
        )

    def create_invoice(http: httpx.Client) -> None:
        calls(
            http,
            "create invoice",
            "POST",
            url(stack, INVOICES) + "/api/v1/invoices",
            json={"customer_id": customer, "lines": random_lines(random.Random(), 2)},
        )

    return [
        *(paced(0.02, reader(service)) for service in reads),
        paced(0.05, create_asset),
        paced(0.05, create_invoice),
    ]


def ready_answers(stack: DevStack) -> dict[str, tuple[int | None, str | None, float]]:
    """Each service's /ready now: (status or None, code, seconds it took)."""
    answers: dict[str, tuple[int | None, str | None, float]] = {}
    for service in SERVICES:
        sent = time.monotonic()
        try:
            response = httpx.get(url(stack, service) + "/ready", timeout=CLIENT_TIMEOUT)
        except httpx.HTTPError:
            answers[service] = (None, None, time.monotonic() - sent)
            continue
        code = response.json().get("code") if response.status_code != 200 else None
        answers[service] = (response.status_code, code, time.monotonic() - sent)
    return answers


@pytest.mark.long
def test_cut_database_connections_cost_at_most_clean_503s_and_heal_without_a_restart(
    erp: DevStack,
) -> None:
    admin = login(erp, "admin")
    pids = {service: erp.process(service).process.pid for service in SERVICES}
    calls = Calls()
    assets_before = _dashboard_asset_count(erp, admin)

    # a) Every connection of the services and workers killed, three times, under load.
    kills: list[tuple[float, int]] = []
    with clients(*mixed_load(erp, calls, admin), headers=admin), server_admin(erp) as (pg, name):
        time.sleep(2.0)
        for _ in range(3):
            kills.append((time.monotonic(), terminate_backends(pg, name)))
            time.sleep(1.0)
        after_kills = time.monotonic()
        time.sleep(3.0)
    cut_end = time.monotonic()
    cut = calls.between(kills[0][0], cut_end)
    failed = [o for o in cut if o.status is None or o.status >= 400]
    settled = kills[-1][0] + 1.0  # a terminated backend takes a moment to go
    late_failures = [o for o in calls.between(settled, cut_end) if o.kind[0] not in "23"]
    print(
        f"\n[pg_terminate_backend] connections killed per round {[n for _, n in kills]};"
        f" requests {len(calls.between(0, cut_end))}, from the first kill on {len(cut)}:"
        f" {dict(Counter(o.kind for o in cut))}; slowest {max(o.took for o in cut):.2f} s;"
        f" failed after the last kill + 1 s: {len(late_failures)}"
    )
    assert all(n > 0 for _, n in kills), kills
    assert not [o for o in failed if o.kind == "hang"], "a request hung"
    # The only failure allowed while connections die: a clean 503 in the error shape.
    assert {o.kind for o in failed} <= {"503 database_unavailable"}, Counter(o.kind for o in failed)
    assert all(o.shaped for o in failed)
    # And once they are dead, the next requests get new ones (pre-ping): no lasting errors.
    assert late_failures == [], Counter(o.kind for o in late_failures)
    assert calls.between(after_kills, cut_end), "no request after the kills"

    # b) New connections refused (ALLOW_CONNECTIONS false) and every open one killed: /ready
    # says 503 for as long as it lasts, requests are clean 503s; allowed again, everything comes
    # back by itself.
    calls = Calls()
    blocked: list[dict[str, tuple[int | None, str | None, float]]] = []
    recovered: dict[str, float] = {}
    with clients(*mixed_load(erp, calls, admin), headers=admin), server_admin(erp) as (pg, name):
        time.sleep(1.0)
        pg.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        try:
            terminate_backends(pg, name)
            blocked_at = time.monotonic()
            # Once more: a connection that passed the "allowed?" check just before the ALTER
            # was not yet listed under the database's name the first time.
            time.sleep(0.2)
            terminate_backends(pg, name)
            time.sleep(0.5)  # a terminated backend takes a moment to go
            measured_from = time.monotonic()
            # At least 5 s and three rounds of /ready (a loaded CI machine answers slowly).
            while time.monotonic() < measured_from + 5.0 or len(blocked) < 3:
                blocked.append(ready_answers(erp))
                time.sleep(0.2)
            measured_to = time.monotonic()
        finally:
            pg.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        allowed_at = time.monotonic()
        while len(recovered) < len(SERVICES):
            assert time.monotonic() < allowed_at + SETTLE_SECONDS, f"/ready: {ready_answers(erp)}"
            for service, (status, _, _) in ready_answers(erp).items():
                if status == 200 and service not in recovered:
                    recovered[service] = time.monotonic() - allowed_at
            time.sleep(0.1)
        healed_at = time.monotonic()
        time.sleep(3.0)
    end = time.monotonic()

    during = calls.between(measured_from, measured_to)
    after = calls.between(healed_at + 1.0, end)
    print(
        f"[connections refused] /ready while refused:"
        f" {dict(Counter((s, a[0], a[1]) for r in blocked for s, a in r.items()))};"
        f" slowest /ready {max(a[2] for r in blocked for a in r.values()):.2f} s;"
        f" requests while refused {dict(Counter(o.kind for o in during))};"
        f" /ready 200 again after (s) { {s: round(t, 2) for s, t in recovered.items()} };"
        f" requests from 1 s after that {dict(Counter(o.kind for o in after))};"
        f" blocked for {allowed_at - blocked_at:.1f} s"
    )
    for answers in blocked:
        for service, (status, code, took) in answers.items():
            assert (status, code) == (503, "not_ready"), (service, status, code)
            assert took < 10.0, f"{service}'s /ready took {took:.1f} s"
    assert len(blocked) >= 3
    failed = [o for o in calls.between(blocked_at) if o.status is None or o.status >= 400]
    assert {o.kind for o in failed} <= {"503 database_unavailable"}, Counter(o.kind for o in failed)
    assert all(o.shaped for o in failed)
    assert [o for o in during if o.kind == "503 database_unavailable"], "no request was refused"
    assert after, "no request after the database came back"
    assert all(o.kind[0] in "23" for o in after), Counter(o.kind for o in after)
    assert max(recovered.values()) < 10.0, recovered

    # Healed by themselves: the same processes, and their workers carry events again.
    assert {service: erp.process(service).process.pid for service in SERVICES} == pids
    assert erp.first_exited() is None
    created = httpx.post(
        url(erp, ASSETS) + "/api/v1/assets",
        json=asset_body(first_category(erp, admin), "Healed"),
        headers=admin,
    )
    assert created.status_code == 201, created.text
    events_caught_up(erp)
    with connect(erp) as db:
        row = db.execute("SELECT count(*) AS n FROM asset_schema.assets").fetchone()
    assert row is not None
    eventually(lambda: _dashboard_asset_count(erp, admin) == row["n"], within=SETTLE_SECONDS)
    assert row["n"] > assets_before


def _dashboard_asset_count(stack: DevStack, headers: dict[str, str]) -> int:
    answer = httpx.get(url(stack, DASHBOARD) + "/api/v1/dashboard/summary", headers=headers)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["assets"]["count"])


# -- 3. The broker gone for a minute -------------------------------------------------------------


@contextmanager
def paused(stack: DevStack, *names: str) -> Iterator[Callable[[], None]]:
    """SIGSTOP the process groups of ``names``; the function given (and the end of the block)
    sends SIGCONT."""
    groups = [stack.process(name).process.pid for name in names]
    for group in groups:
        os.killpg(group, signal.SIGSTOP)

    def resume() -> None:
        for group in groups:
            with suppress(ProcessLookupError):
                os.killpg(group, signal.SIGCONT)

    try:
        yield resume
    finally:
        resume()


@pytest.mark.long
def test_a_minute_without_the_broker_loses_no_event_and_doubles_none(erp: DevStack) -> None:
    admin, accountant = login(erp, "admin"), login(erp, "accountant")
    invoices, assets = url(erp, INVOICES), url(erp, ASSETS)
    category = first_category(erp, admin)
    customers = create_customers(erp, accountant, "Brokerless")
    # What earlier tests caused is done: from here on, only ours.
    events_caught_up(erp)
    eventually(lambda: all_mail_sent(erp), within=SETTLE_SECONDS)
    assets_before = _dashboard_asset_count(erp, admin)
    mails_before = receipts(erp.root)
    calls = Calls()
    created_assets: list[int] = []
    paid_invoices: list[str] = []  # numbers of the invoices paid in full (receipts to come)

    def create_asset(http: httpx.Client) -> None:
        answer, _ = calls(
            http,
            "create asset",
            "POST",
            assets + "/api/v1/assets",
            json=asset_body(category, "Brokerless"),
            headers=admin,
        )
        if answer is not None and answer.status_code == 201:
            created_assets.append(answer.json()["id"])

    def invoice_paid_in_two(http: httpx.Client) -> None:
        rng = random.Random()
        created, _ = calls(
            http,
            "create invoice",
            "POST",
            invoices + "/api/v1/invoices",
            json={"customer_id": rng.choice(customers), "lines": random_lines(rng, 2)},
        )
        if created is None or created.status_code != 201:
            return
        id_ = created.json()["id"]
        issued, _ = calls(http, "issue", "POST", f"{invoices}/api/v1/invoices/{id_}/issue")
        if issued is None or issued.status_code != 200:
            return
        total = Decimal(issued.json()["total"])
        first = (total / 3).quantize(CENT)
        for amount in (first, total - first):  # payment.recorded twice, then invoice.paid
            answer, _ = calls(
                http,
                "pay",
                "POST",
                f"{invoices}/api/v1/invoices/{id_}/payments",
                json={"amount": str(amount), "method": "card"},
            )
            if answer is None or answer.status_code != 201:
                return
        paid_invoices.append(issued.json()["number"])

    with clients(
        paced(0.3, create_asset),
        paced(0.5, invoice_paid_in_two),
        paced(0.5, invoice_paid_in_two),
        headers=accountant,
    ):
        time.sleep(3.0)
        # The consumers lag (paused): when the broker dies, its stream holds events nobody has
        # read yet — exactly what a broker that keeps nothing would lose.
        with paused(erp, "dashboard-service worker", "notification-service worker") as resume:
            time.sleep(3.0)
            with connect(erp) as db:
                row = db.execute("SELECT count(*) AS n FROM dashboard_schema.inbox").fetchone()
            down_at = time.monotonic()
            # SIGKILL, not SIGTERM: a crash (or the OOM killer) gives Redis no chance to flush
            # or say goodbye; whatever it had answered must still be there when it is back.
            erp.kill("redis", signal.SIGKILL)
            resume()
        unread_at_crash = _unread_by_the_dashboard(erp, row["n"] if row else 0)
        time.sleep(BROKER_OUTAGE_SECONDS)
        with connect(erp) as db:
            backlog_row = db.execute(
                "SELECT (SELECT count(*) FROM invoice_schema.outbox WHERE published_at IS NULL)"
                " + (SELECT count(*) FROM asset_schema.outbox WHERE published_at IS NULL) AS n"
            ).fetchone()
        backlog = backlog_row["n"] if backlog_row else 0
        restart_began = time.monotonic()
        erp.restart("redis")  # same port, same data folder
        up_at = time.monotonic()
        time.sleep(3.0)
    load_end = time.monotonic()

    outage = calls.between(down_at, up_at)
    print(
        f"\n[broker down {up_at - down_at:.0f} s] requests {len(calls.outcomes)}:"
        f" {dict(calls.tally())}; while down {len(outage)}: {dict(Counter(o.kind for o in outage))};"
        f" outbox backlog when it came back: {backlog}; events the consumers had not read when it"
        f" died: {unread_at_crash}; restart took {up_at - restart_began:.1f} s"
    )
    # The writes went on without the broker: the outbox held their events.
    failures = [o for o in calls.between(0, load_end) if o.kind[0] not in "23"]
    assert failures == [], Counter(o.kind for o in failures)
    assert [o for o in outage if o.what == "create asset"], "no write while the broker was down"
    assert backlog > 0, "no event waited for the broker"
    assert unread_at_crash > 0, "the broker died with no unread event in it: nothing to lose"

    # Afterwards every cause has had its effect, exactly once.
    catch_up = events_caught_up(erp)
    with connect(erp) as db:
        row = db.execute("SELECT count(*) AS n FROM asset_schema.assets").fetchone()
        assert row is not None
        sums = db.execute(
            "SELECT (SELECT count(*) FROM invoice_schema.payments) AS source_count,"
            " (SELECT coalesce(sum(amount), 0) FROM invoice_schema.payments) AS source_sum,"
            " (SELECT count(*) FROM dashboard_schema.payments) AS shown_count,"
            " (SELECT coalesce(sum(amount), 0) FROM dashboard_schema.payments) AS shown_sum,"
            " (SELECT count(*) FROM invoice_schema.invoices"
            "   WHERE status = 'paid' AND customer_id = ANY(%s)) AS paid_in_full",
            (customers,),
        ).fetchone()
        assert sums is not None
    assert _dashboard_asset_count(erp, admin) == row["n"] == assets_before + len(created_assets)
    assert (sums["shown_count"], sums["shown_sum"]) == (sums["source_count"], sums["source_sum"])
    assert sums["paid_in_full"] == len(paid_invoices)

    expected = Counter(receipt_subject(number) for number in paid_invoices)

    def mails_sent() -> Counter[str]:
        return receipts(erp.root) - mails_before

    eventually(lambda: all_mail_sent(erp), within=SETTLE_SECONDS)
    time.sleep(1.0)  # a second copy, if one were coming
    mails = mails_sent()
    print(
        f"[broker down] causes → effects: assets created {len(created_assets)} → dashboard"
        f" +{_dashboard_asset_count(erp, admin) - assets_before}; invoices paid in full"
        f" {len(paid_invoices)} → receipts {sum(mails.values())} (most for one invoice:"
        f" {max(mails.values(), default=0)}); payments {sums['source_count']} ="
        f" {sums['source_sum']} → dashboard {sums['shown_count']} = {sums['shown_sum']};"
        f" caught up {catch_up:.1f} s after the broker came back"
    )
    assert mails == expected
    assert erp.first_exited() is None


def _unread_by_the_dashboard(stack: DevStack, applied_before: int) -> int:
    """How many events the dashboard had yet to apply when the broker died (their inbox rows
    missing then): the stream held at least these."""
    total = 0
    with connect(stack) as db:
        for consumer, (source, types) in CONSUMERS.items():
            if not consumer.startswith("dashboard-service."):
                continue
            row = db.execute(
                f"SELECT count(*) AS n FROM {source}.outbox"  # noqa: S608
                " WHERE type = ANY(%s) AND published_at IS NOT NULL",
                (list(types),),
            ).fetchone()
            total += row["n"] if row else 0
    return max(0, total - applied_before)
