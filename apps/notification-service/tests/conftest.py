"""Fixtures: a migrated database per run, a real SMTP server, a stand-in invoice service, Redis.

- ``smtp_sink``: aiosmtpd's Controller on a free port, keeping every message it accepts.
- ``invoice_service``: a small Starlette app on a free port (uvicorn, in a thread) that answers
  the three routes the notification service calls, checking each caller's bearer token with the
  shared secret; a test may make its PDF route fail, or give a customer no address.
- ``running_worker``: the real worker (consumer + sender) against a Redis stream of its own.

The worker commits for real; ``committed`` empties the service's tables after such a test.
"""

from __future__ import annotations

import asyncio
import io
import secrets
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pypdf import PdfWriter
from redis.asyncio import Redis
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import notification_service.models  # noqa: F401  (registers every table on the metadata)
from notification_service.cli import ALEMBIC_DIR
from notification_service.core.config import NotificationSettings
from notification_service.db import SCHEMA, TableModel
from notification_service.main import create_app
from notification_service.worker import run_notification_worker
from tb_platform import migrations
from tb_platform.errors import Unauthorized
from tb_platform.events.catalog import InvoicePaid
from tb_platform.events.envelope import Envelope
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.security import TokenService
from tb_platform.testing import TokenFactory, api_client
from tb_platform.testing.plugin import TEST_SECRET

REDIS_URL = "redis://127.0.0.1:6379/0"
NOTIFICATIONS = "/api/v1/notifications"
FROM = "TB ERP Billing <billing@tb-erp.test>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def eventually(
    check: Callable[[], Awaitable[Any]], *, within: float = 8.0, every: float = 0.02
) -> Any:
    """Wait until ``check()`` answers something truthy, and return it."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {within}s")
        await asyncio.sleep(every)


# --- the SMTP server ----------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Sink:
    """An aiosmtpd handler that keeps what it accepts; ``delay`` holds back the answer to DATA."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.received: list[Received] = []
        self.delay = delay

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def about(self, number: str) -> list[Received]:
        """The messages whose subject names invoice ``number``."""
        return [mail for mail in self.received if number in str(mail.message["Subject"])]


class Refusing(Sink):
    """A server that answers every RCPT TO with ``answer`` (e.g. "550 5.1.1 No such mailbox")."""

    def __init__(self, answer: str) -> None:
        super().__init__()
        self.answer = answer

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return self.answer


@asynccontextmanager
async def smtp_server(
    sink: Sink, port: int | None = None, **options: Any
) -> AsyncIterator[Controller]:
    controller = Controller(sink, hostname="127.0.0.1", port=port or free_port(), **options)
    await asyncio.to_thread(controller.start)
    try:
        yield controller
    finally:
        await asyncio.to_thread(controller.stop)


@pytest.fixture(scope="session")
async def smtp_sink() -> AsyncIterator[tuple[Sink, int]]:
    sink = Sink()
    async with smtp_server(sink) as controller:
        yield sink, controller.port


# --- the invoice service ----------------------------------------------------------------------


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Invoice"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass
class InvoiceStandIn:
    """What the stand-in knows and how it should misbehave, set by each test."""

    tokens: TokenService
    url: str = ""
    pdf: bytes = field(default_factory=a_pdf)
    numbers: dict[int, str] = field(default_factory=dict)
    customers: dict[int, dict[str, Any]] = field(default_factory=dict)  # invoice id → customer
    pdf_failures: dict[int, int] = field(default_factory=dict)  # invoice id → 503s still to give
    callers: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v1/invoices/{id:int}/pdf", self._pdf),
                Route("/api/v1/invoices/{id:int}", self._invoice),
                Route("/api/v1/customers/{id:int}", self._customer),
            ]
        )

    def _caller(self, request: Request) -> Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            principal = self.tokens.verify(token)
        except Unauthorized as exc:
            return JSONResponse({"detail": exc.detail, "code": exc.code}, status_code=401)
        if scheme.lower() != "bearer":
            return JSONResponse({"detail": "bearer only", "code": "unauthorized"}, 401)
        self.callers.append((request.url.path, principal.sub, principal.roles))
        if not principal.has_role("accountant"):
            return JSONResponse({"detail": "no", "code": "forbidden"}, status_code=403)
        return None

    async def _pdf(self, request: Request) -> Response:
        invoice_id = request.path_params["id"]
        if refused := self._caller(request):
            return refused
        if self.pdf_failures.get(invoice_id, 0) > 0:
            self.pdf_failures[invoice_id] -= 1
            return JSONResponse({"detail": "busy", "code": "unavailable"}, status_code=503)
        number = self.numbers.get(invoice_id, f"draft-{invoice_id}")
        return Response(
            self.pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )

    async def _invoice(self, request: Request) -> Response:
        invoice_id = request.path_params["id"]
        if refused := self._caller(request):
            return refused
        if invoice_id not in self.customers:
            return JSONResponse({"detail": "not found", "code": "not_found"}, status_code=404)
        customer = self.customers[invoice_id]
        return JSONResponse(
            {
                "id": invoice_id,
                "number": self.numbers.get(invoice_id),
                "customer_id": customer["id"],
            }
        )

    async def _customer(self, request: Request) -> Response:
        customer_id = request.path_params["id"]
        if refused := self._caller(request):
            return refused
        for customer in self.customers.values():
            if customer["id"] == customer_id:
                return JSONResponse(customer)
        return JSONResponse({"detail": "not found", "code": "not_found"}, status_code=404)


@pytest.fixture(scope="session")
def invoice_service() -> Iterator[InvoiceStandIn]:
    stand_in = InvoiceStandIn(
        tokens=TokenService(NotificationSettings(environment="test", jwt_secret=TEST_SECRET))
    )
    port = free_port()
    stand_in.url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(stand_in.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.started:
        assert time.monotonic() < deadline, "the invoice stand-in did not start"
        time.sleep(0.01)
    yield stand_in
    server.should_exit = True
    thread.join(timeout=5)


# --- the service --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def settings(
    database_url: str, smtp_sink: tuple[Sink, int], invoice_service: InvoiceStandIn
) -> NotificationSettings:
    migrations.upgrade(ALEMBIC_DIR, database_url)
    return NotificationSettings(
        database_url=database_url,
        environment="test",
        jwt_secret=TEST_SECRET,
        smtp_url=f"smtp://127.0.0.1:{smtp_sink[1]}",
        smtp_timeout_seconds=5,
        notification_from=FROM,
        invoice_service_url=invoice_service.url,
        invoice_service_timeout_seconds=5,
        notification_max_attempts=5,
        notification_retry_base_seconds=0.1,
        notification_retry_cap_seconds=0.4,
        notification_poll_seconds=0.05,
        event_max_attempts=3,
    )


def changed(settings: NotificationSettings, **values: Any) -> NotificationSettings:
    """The settings with some values changed (validated like the environment's)."""
    return NotificationSettings(**{**settings.model_dump(), **values})


@pytest.fixture(scope="session")
def app_factory() -> Callable[[Any], FastAPI]:
    return create_app


@pytest.fixture
def accountant(tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers("accountant", employee_id=501, sub="501")


@pytest.fixture
async def committed(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The API without the rolled-back transaction (it sees what the worker commits); the
    service's tables are emptied when the test ends."""
    try:
        async with api_client(app) as http:
            yield http
    finally:
        tables = ", ".join(
            f'{SCHEMA}."{table.name}"' for table in TableModel.metadata.sorted_tables
        )
        async with app.state.database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@asynccontextmanager
async def running_worker(settings: NotificationSettings) -> AsyncIterator[RedisStreamsTransport]:
    """The worker, consuming a stream of its own; yields the transport to publish events on."""
    stream = f"tb-test.notifications.{secrets.token_hex(6)}"
    transport = RedisStreamsTransport(
        REDIS_URL, stream=stream, block_ms=100, reconnect_base=0.05, reconnect_cap=0.3
    )
    stop = asyncio.Event()
    worker = asyncio.create_task(
        run_notification_worker(settings, transport=transport, stop=stop, handle_signals=False)
    )
    try:
        yield transport
    finally:
        stop.set()
        try:
            await asyncio.wait_for(worker, timeout=10)  # raises what the worker died of
        finally:
            redis = Redis.from_url(REDIS_URL)
            await redis.delete(stream)
            await redis.aclose()


# --- events ---------------------------------------------------------------------------------------


_numbers = iter(range(1, 10**6))


def new_invoice_id() -> int:
    """An invoice id no other test of the run uses (mails are told apart by invoice number)."""
    return 100_000 + secrets.randbelow(1_000_000) * 100 + next(_numbers) % 100


def number_of(invoice_id: int) -> str:
    return f"INV-2026-{invoice_id:07d}"


def paid_event(
    invoice_id: int,
    *,
    email: str | None = "",
    amount: str = "1234.50",
    currency: str = "EUR",
    customer_id: int = 42,
) -> Envelope:
    """An ``invoice.paid`` as the invoice service publishes it ("" → a per-invoice address)."""
    return Envelope.create(
        source="invoice-service",
        id=uuid.uuid4(),
        data=InvoicePaid(
            id=invoice_id,
            number=number_of(invoice_id),
            customer_id=customer_id,
            customer_name="Acme Trading Ltd",
            customer_email=f"billing+{invoice_id}@acme.test" if email == "" else email,
            status="paid",
            currency=currency,
            total=Decimal(amount),
            amount_paid=Decimal(amount),
            balance_due=Decimal("0.00"),
            issue_date=date(2026, 11, 2),
        ),
    )


async def notifications_of(
    client: httpx.AsyncClient, admin: dict[str, str], invoice_id: int
) -> list[dict[str, Any]]:
    response = await client.get(NOTIFICATIONS, params={"invoice_id": invoice_id}, headers=admin)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
