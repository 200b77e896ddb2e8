"""``rebuild``: the read model read back from the employee, asset and invoice services' APIs.

The three services run in process on their own migrated schemas of the test database (the
employee service also on a socket of its own, because the asset service checks assignments
over HTTP). The tests change data through their APIs and build, from the answers, the events
those services publish; the summary fed by those events must equal the one rebuilt.
"""

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio
import uvicorn
from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from asset_service.cli import ALEMBIC_DIR as ASSET_ALEMBIC
from asset_service.core.config import AssetSettings
from asset_service.main import create_app as create_asset_app
from dashboard_service.core.cache import summary_cache, summary_key
from dashboard_service.core.config import DashboardSettings
from dashboard_service.models import Asset, AssetCategory, Department, Employee, Invoice, Payment
from dashboard_service.services.read_model import table_of
from dashboard_service.services.rebuild import RebuildCounts, Sources, rebuild, service_token
from employee_service.cli import ALEMBIC_DIR as EMPLOYEE_ALEMBIC
from employee_service.core.config import EmployeeSettings
from employee_service.main import create_app as create_employee_app
from invoice_service.cli import ALEMBIC_DIR as INVOICE_ALEMBIC
from invoice_service.core.config import InvoiceSettings
from invoice_service.main import create_app as create_invoice_app
from tb_platform import migrations
from tb_platform.events.catalog import (
    AssetAssigned,
    AssetCreated,
    AssetDisposed,
    AssetUpdated,
    EmployeeCreated,
    EmployeeDeleted,
    EmployeeUpdated,
    EventData,
    InvoiceCredited,
    InvoiceIssued,
    InvoicePaid,
    InvoiceVoided,
    PaymentRecorded,
)
from tb_platform.events.envelope import Envelope
from tb_platform.testing import TokenFactory
from tb_platform.testing.plugin import TEST_SECRET

from .conftest import Feed, headcount_of, month_of, summary, without_time

API = "/api/v1"
READ_MODEL = (Employee, Department, Asset, AssetCategory, Invoice, Payment)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Services:
    employees: FastAPI
    assets: FastAPI
    invoices: FastAPI
    admin: dict[str, str]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def services(database_url: str) -> AsyncIterator[Services]:
    for alembic_dir in (EMPLOYEE_ALEMBIC, ASSET_ALEMBIC, INVOICE_ALEMBIC):
        migrations.upgrade(alembic_dir, database_url)
    common: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "jwt_secret": TEST_SECRET,
        "log_level": "warning",
    }
    employees = create_employee_app(
        EmployeeSettings(
            **common, argon2_time_cost=1, argon2_memory_cost_kib=1024, argon2_parallelism=1
        )
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(employees, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "the employee service did not start within 5 s"
    assets = create_asset_app(
        AssetSettings(**common, employee_service_url=f"http://127.0.0.1:{port}")
    )
    invoices = create_invoice_app(InvoiceSettings(**common))
    factory = TokenFactory(secret=TEST_SECRET, issuer="tb-erp", audience="tb-erp-services")
    try:
        yield Services(employees, assets, invoices, factory.headers("admin", sub="rebuild-tests"))
    finally:
        server.should_exit = True
        await serving
        for app in (employees, assets, invoices):
            await app.state.database.dispose()


class _Hooked(httpx.AsyncBaseTransport):
    """In process, like ASGITransport; runs ``before`` once, ahead of the first request."""

    def __init__(self, app: FastAPI, before: Callable[[], Awaitable[None]] | None) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._before = before

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._before is not None:
            before, self._before = self._before, None
            await before()
        return await self._inner.handle_async_request(request)


def _client(
    app: FastAPI, headers: dict[str, str], before: Callable[[], Awaitable[None]] | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=_Hooked(app, before), base_url="http://service", headers=headers
    )


async def _rebuild(
    services: Services,
    settings: DashboardSettings,
    database: Any,
    *,
    before_invoices: Callable[[], Awaitable[None]] | None = None,
) -> RebuildCounts:
    """What ``dashboard-service rebuild`` does, with the services in process; small pages, so
    that every list is read through several cursors."""
    # The token the command signs for itself, not the tests' admin one.
    headers = {"Authorization": f"Bearer {service_token(settings)}"}
    async with (
        _client(services.employees, headers) as employees,
        _client(services.assets, headers) as assets,
        _client(services.invoices, headers, before_invoices) as invoices,
    ):
        return await rebuild(
            database,
            sources=Sources(employees=employees, assets=assets, invoices=invoices),
            cache=summary_cache(),
            page_size=2,
        )


class World:
    """Changes data through the services' APIs and builds the events they would publish."""

    def __init__(self, services: Services, clients: dict[str, httpx.AsyncClient]) -> None:
        self.services = services
        self.http = clients
        self.events: list[Envelope] = []
        self.departments: dict[int, str] = {}
        self.categories: dict[int, str] = {}
        self._last = dt.datetime.now(dt.UTC)

    def take(self) -> list[Envelope]:
        events, self.events = self.events, []
        return events

    def _emit(self, source: str, data: EventData) -> None:
        self._last = max(dt.datetime.now(dt.UTC), self._last + dt.timedelta(microseconds=1))
        self.events.append(Envelope.create(source=source, data=data, time=self._last))

    async def _call(
        self, service: str, method: str, path: str, expect: int = 200, **kw: Any
    ) -> Any:
        response = await self.http[service].request(
            method, API + path, headers=self.services.admin, **kw
        )
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    # employees

    def _employee(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "department_name": self.departments.get(body["department_id"])}

    async def department(self, name: str) -> int:
        body = await self._call("employees", "POST", "/departments", 201, json={"name": name})
        self.departments[body["id"]] = name
        return int(body["id"])

    async def hire(self, name: str, department: int | None, status: str = "active") -> int:
        body = await self._call(
            "employees",
            "POST",
            "/employees",
            201,
            json={
                "first_name": name,
                "last_name": "Rebuild",
                "email": f"{name.lower()}-{id(self)}@tb-erp.test",
                "hire_date": "2025-01-06",
                "department_id": department,
                "status": status,
            },
        )
        self._emit("employee-service", EmployeeCreated(**self._employee(body)))
        return int(body["id"])

    async def move(self, employee: int, department: int) -> None:
        body = await self._call(
            "employees", "PATCH", f"/employees/{employee}", json={"department_id": department}
        )
        self._emit("employee-service", EmployeeUpdated(**self._employee(body)))

    async def terminate(self, employee: int) -> None:
        await self._call("employees", "DELETE", f"/employees/{employee}", 204)
        body = await self._call("employees", "GET", f"/employees/{employee}")
        self._emit("employee-service", EmployeeDeleted(**self._employee(body)))

    # assets

    def _asset(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            **body,
            "tag": body["asset_tag"],
            "category_name": self.categories.get(body["category_id"]),
        }

    async def category(self, name: str, code: str) -> int:
        body = await self._call(
            "assets",
            "POST",
            "/categories",
            201,
            json={"name": name, "code": code, "default_useful_life_months": 36},
        )
        self.categories[body["id"]] = name
        return int(body["id"])

    async def buy(self, category: int, cost: str, bought: str, currency: str = "EUR") -> int:
        body = await self._call(
            "assets",
            "POST",
            "/assets",
            201,
            json={
                "name": f"Asset {cost}",
                "category_id": category,
                "purchase_date": bought,
                "purchase_cost": cost,
                "currency": currency,
            },
        )
        self._emit("asset-service", AssetCreated(**self._asset(body)))
        return int(body["id"])

    async def assign(self, asset: int, employee: int) -> None:
        body = await self._call(
            "assets", "POST", f"/assets/{asset}/assign", json={"employee_id": employee}
        )
        self._emit("asset-service", AssetAssigned(**self._asset(body)))

    async def retire(self, asset: int) -> None:
        body = await self._call("assets", "PATCH", f"/assets/{asset}", json={"status": "retired"})
        self._emit("asset-service", AssetUpdated(**self._asset(body)))

    async def dispose(self, asset: int) -> None:
        body = await self._call(
            "assets",
            "POST",
            f"/assets/{asset}/dispose",
            json={
                "date": dt.datetime.now(dt.UTC).date().isoformat(),
                "proceeds": "100.00",
                "reason": "Sold",
            },
        )
        self._emit("asset-service", AssetDisposed(**self._asset(body)))

    # invoices

    async def customer(self, name: str, currency: str) -> int:
        body = await self._call(
            "invoices", "POST", "/customers", 201, json={"name": name, "currency": currency}
        )
        return int(body["id"])

    async def draft(self, customer: int, issued: str, *prices: str) -> int:
        body = await self._call(
            "invoices",
            "POST",
            "/invoices",
            201,
            json={
                "customer_id": customer,
                "issue_date": issued,
                "lines": [
                    {"description": "Work", "quantity": "1", "unit_price": p, "tax_rate": "20"}
                    for p in prices
                ],
            },
        )
        return int(body["id"])

    async def issue(self, customer: int, issued: str, *prices: str) -> int:
        invoice = await self.draft(customer, issued, *prices)
        body = await self._call("invoices", "POST", f"/invoices/{invoice}/issue")
        self._emit("invoice-service", InvoiceIssued(**body))
        return invoice

    async def _settled(self, invoice: dict[str, Any]) -> None:
        if invoice["status"] == "paid":
            self._emit("invoice-service", InvoicePaid(**invoice))

    async def pay(self, invoice: int, amount: str, paid_at: str) -> None:
        payment = await self._call(
            "invoices",
            "POST",
            f"/invoices/{invoice}/payments",
            201,
            json={"amount": amount, "paid_at": paid_at, "method": "bank_transfer"},
        )
        body = await self._call("invoices", "GET", f"/invoices/{invoice}")
        self._emit("invoice-service", self._payment(body, payment))
        await self._settled(body)

    def _payment(self, invoice: dict[str, Any], payment: dict[str, Any]) -> PaymentRecorded:
        return PaymentRecorded(
            **invoice,
            payment_id=payment["id"],
            payment_amount=payment["amount"],
            paid_at=payment["paid_at"],
        )

    async def credit(self, invoice: int, amount: str) -> None:
        note = await self._call(
            "invoices",
            "POST",
            f"/invoices/{invoice}/credit-notes",
            201,
            json={"reason": "Goodwill", "amount": amount},
        )
        body = await self._call("invoices", "GET", f"/invoices/{invoice}")
        self._emit(
            "invoice-service",
            InvoiceCredited(
                **body,
                credit_note_id=note["id"],
                credit_amount=note["total"],
                credit_date=note["issue_date"],
            ),
        )
        for payment in body["payments"]:
            if payment["credit_note_id"] == note["id"]:  # the refund: a negative payment
                self._emit("invoice-service", self._payment(body, payment))
        await self._settled(body)

    async def void(self, invoice: int) -> None:
        body = await self._call(
            "invoices", "POST", f"/invoices/{invoice}/void", json={"reason": "Mistake"}
        )
        self._emit("invoice-service", InvoiceVoided(**body))


@pytest_asyncio.fixture(loop_scope="session")
async def world(services: Services) -> AsyncIterator[World]:
    clients = {
        "employees": _client(services.employees, {}),
        "assets": _client(services.assets, {}),
        "invoices": _client(services.invoices, {}),
    }
    try:
        yield World(services, clients)
    finally:
        for client in clients.values():
            await client.aclose()


async def _lose_the_read_model(connection: AsyncConnection) -> None:
    for model in READ_MODEL:
        await connection.execute(delete(table_of(model)))
    cache = summary_cache()
    await cache.delete([summary_key(cache)])  # as the summary would expire


def _count(figures: dict[str, Any], department: int) -> int:
    return headcount_of(figures).get(department, ("", 0))[1]


async def test_the_rebuilt_summary_equals_the_one_fed_by_events(
    services: Services,
    world: World,
    feed: Feed,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    app: FastAPI,
    settings: DashboardSettings,
    connection: AsyncConnection,
) -> None:
    database = app.state.database
    # Whatever the services hold already (other tests' data) is the starting point: rebuilt.
    await _rebuild(services, settings, database)
    before = await summary(client, admin)

    engineering = await world.department("Engineering")
    sales = await world.department("Sales")
    support = await world.department("Support")
    ada = await world.hire("Ada", engineering)
    await world.hire("Bob", engineering, status="on_leave")
    await world.hire("Cy", sales)
    dee = await world.hire("Dee", sales)
    await world.hire("Eve", None)
    fay = await world.hire("Fay", support)
    await world.terminate(dee)
    await world.move(fay, engineering)

    laptops = await world.category("Laptops", "LAP-R")
    vehicles = await world.category("Vehicles", "VEH-R")
    phones = await world.category("Phones", "PHN-R")
    laptop = await world.buy(laptops, "1200.00", "2025-01-15")
    await world.buy(laptops, "800.50", "2026-06-01")
    van = await world.buy(vehicles, "30000.00", "2024-03-01", currency="USD")
    phone = await world.buy(phones, "90000", "2025-05-01", currency="JPY")
    await world.assign(laptop, ada)
    await world.dispose(van)
    await world.retire(phone)

    acme = await world.customer("Acme", "EUR")
    nippon = await world.customer("Nippon", "JPY")
    first = await world.issue(acme, "2026-09-10", "1000.00", "250.00")  # 1500.00 with tax
    await world.pay(first, "500.00", "2026-09-20T10:00:00Z")
    await world.pay(first, "1000.00", "2026-10-05T10:00:00Z")
    second = await world.issue(acme, "2026-10-12", "250.00")  # 300.00
    await world.credit(second, "100.00")
    third = await world.issue(acme, "2026-10-15", "99.00")
    await world.void(third)
    fourth = await world.issue(acme, "2026-11-02", "100.00")  # 120.00
    await world.pay(fourth, "120.00", "2026-11-03T10:00:00Z")
    await world.credit(fourth, "60.00")  # refunds 60.00
    yen = await world.issue(nippon, "2026-11-05", "10000")
    await world.pay(yen, "345", "2026-11-06T10:00:00Z")
    await world.draft(acme, "2026-11-10", "5000.00")  # never issued: no event, not rebuilt

    assert all(await feed.apply(*world.take()))
    fed = await summary(client, admin)

    # What the events did, relative to where the services started.
    assert fed["headcount"]["total"] - before["headcount"]["total"] == 5
    assert _count(fed, engineering) == 3
    assert _count(fed, sales) == 1
    assert _count(fed, support) == 0
    assert fed["assets"]["count"] - before["assets"]["count"] == 4
    assert fed["assets"]["by_status"]["disposed"] - before["assets"]["by_status"]["disposed"] == 1
    november = month_of(fed, "2026-11", "JPY")
    assert (november["invoiced"], november["collected"], november["outstanding"]) == (
        "12000",
        "345",
        "11655",
    )

    # The read model is lost; the rebuild reads it all back from the services.
    await _lose_the_read_model(connection)
    assert (await summary(client, admin))["headcount"]["total"] == 0
    counts = await _rebuild(services, settings, database)
    assert counts.employees >= 6
    assert counts.invoices >= 5
    assert counts.payments >= 5

    rebuilt = await summary(client, admin)
    assert without_time(rebuilt) == without_time(fed)
    assert rebuilt["updated_at"] is not None


async def test_a_change_applied_while_the_rebuild_reads_survives_it(
    services: Services,
    world: World,
    feed: Feed,
    app: FastAPI,
    settings: DashboardSettings,
    connection: AsyncConnection,
) -> None:
    ops = await world.department("Operations")
    xavier = await world.hire("Xavier", ops)
    yvonne = await world.hire("Yvonne", ops)  # her event never arrives: only the rebuild
    await feed.apply(world.take()[0])

    async def xavier_leaves() -> None:
        # After the rebuild read the employees (Xavier active), before it writes.
        await world.terminate(xavier)
        await feed.apply(*world.take())

    await _rebuild(services, settings, app.state.database, before_invoices=xavier_leaves)

    employees = table_of(Employee)

    async def row(employee: int) -> Any:
        query = select(employees).where(employees.c.id == employee)
        return (await connection.execute(query)).one()

    assert (await row(xavier)).status == "terminated"
    rebuilt = await row(yvonne)
    assert rebuilt.status == "active"

    # Events older than the rebuild's horizon were visible to it: ignored. Newer ones apply.
    stale = rebuilt.as_of - dt.timedelta(minutes=1)
    data = {
        "id": yvonne,
        "first_name": "Yvonne",
        "last_name": "Rebuild",
        "email": "y@tb-erp.test",
        "department_id": ops,
        "department_name": "Operations",
    }
    await feed.apply(
        Envelope.create(
            source="employee-service",
            data=EmployeeUpdated(**data, status="on_leave"),
            time=stale,
        )
    )
    assert (await row(yvonne)).status == "active"
    await feed.apply(
        Envelope.create(
            source="employee-service",
            data=EmployeeDeleted(**data, status="terminated"),
            time=dt.datetime.now(dt.UTC),
        )
    )
    assert (await row(yvonne)).status == "terminated"
