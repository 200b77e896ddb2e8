"""Fixtures: one migrated database per run, each test inside a rolled-back transaction.

``committed_client`` is the exception: it talks to the app with its real sessionmaker, so each
request commits on its own connection and requests fired together really run concurrently. What
it commits is removed again when the test ends (every table of the schema is emptied), and the
tests using it still create their own customer, compare numbers relative to what was there before
and use EUR only, so that nothing depends on the order tests run in.

The employee service is :class:`FakeEmployeeService` (in process, behind the app's employee
directory): every id is a current employee unless a test says otherwise.
"""

import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

import invoice_service.models  # noqa: F401  (registers every table on the metadata)
from invoice_service.cli import ALEMBIC_DIR
from invoice_service.core.config import InvoiceSettings
from invoice_service.db import SCHEMA, TableModel
from invoice_service.db.events import EMPLOYEES
from invoice_service.main import create_app
from tb_platform import migrations
from tb_platform.employee_directory import EmployeeDirectory
from tb_platform.employees import EmployeeServiceClient
from tb_platform.testing import TokenFactory, api_client
from tb_platform.testing.plugin import TEST_SECRET
from tb_platform.uow import FrozenClock

CUSTOMERS = "/api/v1/customers"
INVOICES = "/api/v1/invoices"
CENT = Decimal("0.01")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
WHOLE_MONEY = re.compile(r"^-?\d+$")
INVOICE_NUMBER = re.compile(r"^INV-(\d{4})-(\d{6})$")
CREDIT_NOTE_NUMBER = re.compile(r"^CN-(\d{4})-(\d{6})$")
# "Now" for the tests that freeze the clock (the ``clock`` fixture).
NOW = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def settings(database_url: str) -> InvoiceSettings:
    migrations.upgrade(ALEMBIC_DIR, database_url)
    return InvoiceSettings(
        database_url=database_url,
        environment="test",
        jwt_secret=TEST_SECRET,
        # Room for the concurrency tests' parallel requests (each holds a connection).
        db_pool_size=25,
        db_max_overflow=10,
    )


class FakeEmployeeService:
    """The employee service's ``GET /api/v1/employees`` (``?ids=`` and the paged list), in
    process. Every id is an active employee, except those in ``unknown`` (no such employee) and
    ``terminated``; ``down`` makes it unreachable. ``asked`` lists the ids of each look-up."""

    UPDATED_AT = "2026-01-05T08:00:00+00:00"

    def __init__(self) -> None:
        self.unknown: set[int] = set()
        self.terminated: set[int] = set()
        self.listed: list[int] = []  # what the paged list (sync-employees) answers
        self.down = False
        self.asked: list[list[int]] = []

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def employee(self, employee_id: int) -> dict[str, Any]:
        return {
            "id": employee_id,
            "first_name": "Emma",
            "last_name": f"Number{employee_id}",
            "email": f"e{employee_id}@tb-erp.test",
            "status": "terminated" if employee_id in self.terminated else "active",
            "department_id": None,
            "updated_at": self.UPDATED_AT,
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("the employee service is down", request=request)
        ids = request.url.params.get("ids")
        if ids is not None:
            wanted = [int(i) for i in ids.split(",")]
            self.asked.append(wanted)
            found = [self.employee(i) for i in wanted if i not in self.unknown]
        else:
            found = [self.employee(i) for i in self.listed]
        return httpx.Response(200, json={"items": found, "total": len(found), "limit": 200})

    def directory(self, settings: InvoiceSettings) -> EmployeeDirectory:
        client = EmployeeServiceClient(settings, transport=httpx.MockTransport(self.handle))
        return EmployeeDirectory(EMPLOYEES, client=client)


FAKE_EMPLOYEE_SERVICE = FakeEmployeeService()


@pytest.fixture(scope="session")
def app_factory() -> Callable[[Any], FastAPI]:
    def build(settings: InvoiceSettings) -> FastAPI:
        directory = FAKE_EMPLOYEE_SERVICE.directory(settings)
        return create_app(settings, employee_directory=directory)

    return build


@pytest.fixture
def employee_service() -> Iterator[FakeEmployeeService]:
    """The fake employee service, fresh for the test that changes it (and reset afterwards)."""
    FAKE_EMPLOYEE_SERVICE.reset()
    yield FAKE_EMPLOYEE_SERVICE
    FAKE_EMPLOYEE_SERVICE.reset()


@pytest.fixture
async def committed_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Requests through the app's own sessionmaker: real commits, real concurrency."""
    database = app.state.database
    original = database.sessionmaker
    try:
        async with api_client(app) as http:
            yield http
    finally:
        assert database.sessionmaker is original, "do not mix client and committed_client"
        tables = ", ".join(
            f'{SCHEMA}."{table.name}"' for table in TableModel.metadata.sorted_tables
        )
        async with database.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} CASCADE"))


@pytest.fixture
def clock(app: FastAPI) -> Iterator[FrozenClock]:
    """Stops the app's clock for one test: what "now" and "today" are for its units of work
    (issue and void times, credit note and default invoice dates, overdue, aging's default day).
    A day in the past, so payments dated relative to it are never "in the future"."""
    frozen = FrozenClock(NOW)
    app.state.clock = frozen
    try:
        yield frozen
    finally:
        del app.state.clock


@pytest.fixture
def accountant(tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers("accountant", employee_id=501, sub="501")


@pytest.fixture
def hr(tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers("hr_manager", employee_id=502, sub="502")


# --- expected values, computed independently of the service ------------------------------------


def money(value: Any, *, whole: bool = False) -> Decimal:
    """A money value as the API must answer it: a string with exactly two decimals, or none
    (``whole``) for a currency without minor unit such as JPY."""
    assert isinstance(value, str), f"money must be a decimal string, got {value!r}"
    if whole:
        assert WHOLE_MONEY.match(value), f"yen must look like '1235', got {value!r}"
    else:
        assert MONEY.match(value), f"money must look like '1234.50', got {value!r}"
    return Decimal(value)


def round_half_up(amount: Decimal, unit: Decimal = CENT) -> Decimal:
    return amount.quantize(unit, rounding=ROUND_HALF_UP)


def expected_line(
    quantity: Any,
    unit_price: Any,
    discount_percent: Any = 0,
    tax_rate: Any = 0,
    unit: Decimal = CENT,
) -> tuple[Decimal, Decimal, Decimal]:
    """(net, tax, total) of a line per the README formula."""
    q, p = Decimal(str(quantity)), Decimal(str(unit_price))
    d, r = Decimal(str(discount_percent)), Decimal(str(tax_rate))
    net = round_half_up(q * p * (1 - d / 100), unit)
    tax = round_half_up(net * r / 100, unit)
    return net, tax, net + tax


def line(
    quantity: Any = "1",
    unit_price: Any = "100.00",
    *,
    description: str = "Consulting",
    discount_percent: Any = None,
    tax_rate: Any = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "description": description,
        "quantity": quantity,
        "unit_price": unit_price,
    }
    if discount_percent is not None:
        body["discount_percent"] = discount_percent
    if tax_rate is not None:
        body["tax_rate"] = tax_rate
    return body


def number_of(
    document: dict[str, Any], pattern: re.Pattern[str] = INVOICE_NUMBER
) -> tuple[int, int]:
    """(year, sequence number) of an invoice's or credit note's number."""
    match = pattern.match(document["number"] or "")
    assert match, f"bad number {document['number']!r}"
    return int(match[1]), int(match[2])


def fields_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error", response.text
    return [error["field"] for error in response.json()["detail"]]


class Factory:
    """Creates rows through the API, the way a user would."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self._n = 0

    async def customer(self, **fields: Any) -> dict[str, Any]:
        self._n += 1
        body = {"name": f"Customer {self._n:03d}", **fields}
        response = await self.client.post(CUSTOMERS, json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        return response.json()

    async def draft(
        self,
        customer: dict[str, Any] | None = None,
        lines: list[dict[str, Any]] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        customer = customer or await self.customer()
        body = {
            "customer_id": customer["id"],
            "lines": [line()] if lines is None else lines,
            **fields,
        }
        response = await self.client.post(INVOICES, json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        return response.json()

    async def issue(self, invoice_id: int) -> dict[str, Any]:
        response = await self.client.post(f"{INVOICES}/{invoice_id}/issue", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def issued(
        self,
        customer: dict[str, Any] | None = None,
        lines: list[dict[str, Any]] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        draft = await self.draft(customer, lines, **fields)
        return await self.issue(draft["id"])

    async def pay(self, invoice_id: int, amount: Any, **fields: Any) -> dict[str, Any]:
        body = {"amount": amount, "method": "bank_transfer", **fields}
        response = await self.client.post(
            f"{INVOICES}/{invoice_id}/payments", json=body, headers=self.headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def credit(self, invoice_id: int, **body: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"{INVOICES}/{invoice_id}/credit-notes",
            json={"reason": "Goodwill", **body},
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def void(self, invoice_id: int, reason: str = "Raised by mistake") -> dict[str, Any]:
        response = await self.client.post(
            f"{INVOICES}/{invoice_id}/void", json={"reason": reason}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def get(self, invoice_id: int) -> dict[str, Any]:
        response = await self.client.get(f"{INVOICES}/{invoice_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def make(client: httpx.AsyncClient, admin: dict[str, str]) -> Factory:
    return Factory(client, admin)


@pytest.fixture
def make_committed(committed_client: httpx.AsyncClient, admin: dict[str, str]) -> Factory:
    return Factory(committed_client, admin)
