"""The employee service terminates someone; the asset service takes back what they held — through
the real path: the employee service's outbox, its relay, Redis Streams and the asset service's
consumer. And assignment never keeps an asset row locked while it asks the employee service.

These tests commit, so they run on a database of their own: the asset service and the employee
service (its app, in process) side by side in their schemas, as in production. Redis is the
machine's, on a stream named for the test and deleted afterwards.
"""

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from asset_service.cli import ALEMBIC_DIR
from asset_service.core.config import AssetSettings
from asset_service.db.events import EMPLOYEES, EVENTS
from asset_service.main import create_app
from asset_service.models import Asset
from asset_service.worker import EMPLOYEE_CONSUMER, WORKER
from employee_service.cli import ALEMBIC_DIR as EMPLOYEE_ALEMBIC
from employee_service.core.config import EmployeeSettings
from employee_service.db.events import EVENTS as EMPLOYEE_EVENTS
from employee_service.main import create_app as create_employee_app
from tb_platform import migrations
from tb_platform.db import Database
from tb_platform.employee_directory import EmployeeDirectory
from tb_platform.employees import EmployeeServiceClient
from tb_platform.events.consumer import Consumer
from tb_platform.events.envelope import Envelope
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.events.relay import Relay
from tb_platform.testing import TokenFactory, api_client, temporary_database

from .conftest import API, TEST_SECRET

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ASSETS = f"{API}/assets"
TOKENS = TokenFactory(secret=TEST_SECRET, issuer="tb-erp", audience="tb-erp-services")
ADMIN = TOKENS.headers("admin", sub="flow-tests")


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 20.0) -> float:
    started = time.perf_counter()
    while not await check():
        if time.perf_counter() - started > within:
            pytest.fail(f"not within {within} s")
        await asyncio.sleep(0.005)
    return time.perf_counter() - started


@dataclass
class Stack:
    url: str
    database: Database  # the workers' (relays, consumer)
    assets: httpx.AsyncClient
    employees: httpx.AsyncClient
    asset_app: FastAPI
    asset_settings: AssetSettings
    employee_app: FastAPI

    async def hire(self, first_name: str) -> dict[str, Any]:
        body = {
            "first_name": first_name,
            "last_name": "Flow",
            "email": f"{first_name.lower()}-{secrets.token_hex(4)}@tb-erp.test",
            "hire_date": "2024-01-08",
        }
        response = await self.employees.post(f"{API}/employees", json=body, headers=ADMIN)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def asset(self, category_id: int, name: str) -> dict[str, Any]:
        body = {
            "name": name,
            "category_id": category_id,
            "purchase_date": "2024-01-15",
            "purchase_cost": "900.00",
        }
        response = await self.assets.post(ASSETS, json=body, headers=ADMIN)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def category(self) -> int:
        body = {
            "name": f"Flow {secrets.token_hex(3)}",
            "code": f"F{secrets.token_hex(3).upper()}",
            "default_useful_life_months": 36,
        }
        response = await self.assets.post(f"{API}/categories", json=body, headers=ADMIN)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def assign(self, asset: dict[str, Any], employee_id: int) -> httpx.Response:
        return await self.assets.post(
            f"{ASSETS}/{asset['id']}/assign", json={"employee_id": employee_id}, headers=ADMIN
        )

    async def use_employee_service(self, app: FastAPI) -> None:
        """The asset app asks ``app`` (in process) for employees it does not know."""
        await self.asset_app.state.employee_directory.aclose()
        self.asset_app.state.employee_directory = EmployeeDirectory(
            EMPLOYEES,
            client=EmployeeServiceClient(
                self.asset_settings, transport=httpx.ASGITransport(app=app)
            ),
        )

    async def held_by(self, employee_id: int) -> int:
        async with self.database.sessionmaker() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(Asset)
                .where(Asset.assigned_employee_id == employee_id)  # type: ignore[arg-type]
            )
        return int(count or 0)


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    with temporary_database("tb_flow") as url:
        migrations.upgrade(EMPLOYEE_ALEMBIC, url)
        migrations.upgrade(ALEMBIC_DIR, url)
        employee_app = create_employee_app(
            EmployeeSettings(
                database_url=url,
                environment="test",
                jwt_secret=TEST_SECRET,
                argon2_time_cost=1,
                argon2_memory_cost_kib=1024,
                argon2_parallelism=1,
            )
        )
        asset_settings = AssetSettings(
            database_url=url,
            environment="test",
            jwt_secret=TEST_SECRET,
            employee_service_url="http://employee-service.test",
        )
        asset_app = create_app(asset_settings)
        database = Database.connect(url, pool_size=5, max_overflow=5)
        try:
            async with api_client(asset_app) as assets, api_client(employee_app) as employees:
                flow = Stack(
                    url, database, assets, employees, asset_app, asset_settings, employee_app
                )
                await flow.use_employee_service(employee_app)
                yield flow
        finally:
            await asset_app.state.employee_directory.aclose()
            for app in (asset_app, employee_app):
                await app.state.database.dispose()
            await database.dispose()


@pytest.fixture
async def redis() -> AsyncIterator[RedisStreamsTransport]:
    transport = RedisStreamsTransport(
        REDIS_URL,
        stream=f"tb-test.assets.{secrets.token_hex(6)}",
        claim_idle_ms=2000,
        reconnect_base=0.05,
        reconnect_cap=0.3,
    )
    try:
        yield transport
    finally:
        try:
            await transport.delete_stream()
        finally:
            await transport.close()


@dataclass
class Running:
    consumer: Consumer
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


async def start_workers(stack: Stack, transport: RedisStreamsTransport) -> Running:
    """Both services' relays and the asset service's consumer, as their workers run them."""
    consumer = Consumer(
        EMPLOYEE_CONSUMER,
        transport,
        stack.database,
        WORKER.consumers[EMPLOYEE_CONSUMER],
        tables=WORKER.tables,
        retry_base=0.01,
        retry_cap=0.05,
    )
    await consumer.declare()
    running = Running(consumer)
    for part in (
        Relay(stack.database, transport, EMPLOYEE_EVENTS),
        Relay(stack.database, transport, EVENTS),
        consumer,
    ):
        running.tasks.append(asyncio.create_task(part.run(running.stop)))
    return running


async def stop_workers(running: Running) -> None:
    running.stop.set()
    done, pending = await asyncio.wait(running.tasks, timeout=5)
    assert not pending, "a relay or the consumer did not stop"
    for task in done:
        task.result()


async def test_terminating_an_employee_clears_their_three_assets(
    stack: Stack, redis: RedisStreamsTransport
) -> None:
    leaver = await stack.hire("Leaver")
    stays = await stack.hire("Stays")
    category = await stack.category()
    held = [await stack.asset(category, f"Kit {n}") for n in range(3)]
    for asset in held:
        response = await stack.assign(asset, leaver["id"])
        assert response.status_code == 200, response.text
    kept = await stack.asset(category, "Not theirs")
    assert (await stack.assign(kept, stays["id"])).status_code == 200

    running = await start_workers(stack, redis)
    try:
        # The hires reach the consumer first (the projection already knew both).
        await eventually(lambda: _counted(running.consumer.stats.applied, 2))
        terminated = await stack.employees.delete(f"{API}/employees/{leaver['id']}", headers=ADMIN)
        assert terminated.status_code == 204, terminated.text
        # How fast is bench/event_latency.py's business (p99 < 1 s there); here: that it happens.
        await eventually(lambda: _none_held(stack, leaver["id"]))

        # The returns go out through the asset service's own relay.
        await eventually(lambda: _returns_published(stack, 3))

        # The same termination delivered twice more (a redelivery): no second effect.
        envelope = await _termination(stack, leaver["id"])
        received = running.consumer.stats.received
        for _ in range(2):
            await redis.publish(envelope)
        await eventually(lambda: _counted(running.consumer.stats.received, received + 2))
    finally:
        await stop_workers(running)

    assert running.consumer.stats.duplicates == 2
    assert running.consumer.stats.dead_lettered == 0
    for asset in held:
        now = (await stack.assets.get(f"{ASSETS}/{asset['id']}", headers=ADMIN)).json()
        assert (now["status"], now["assigned_employee_id"]) == ("in_stock", None)
        history = await stack.assets.get(f"{ASSETS}/{asset['id']}/history", headers=ADMIN)
        [row] = history.json()["items"]
        assert (row["employee_id"], row["return_reason"]) == (leaver["id"], "employee terminated")
        assert row["returned_by"] == "system:asset-service.employees"
    still = (await stack.assets.get(f"{ASSETS}/{kept['id']}", headers=ADMIN)).json()
    assert still["assigned_employee_id"] == stays["id"]
    async with stack.database.sessionmaker() as session:
        returns = (
            await session.scalars(
                select(EVENTS.outbox.c.subject).where(EVENTS.outbox.c.type == "asset.returned")
            )
        ).all()
    assert sorted(returns) == sorted(str(a["id"]) for a in held)  # once each, not three times
    assert (
        await stack.assign(await stack.asset(category, "Too late"), leaver["id"])
    ).status_code == 422


async def _counted(value: int, count: int) -> bool:
    return value >= count


async def _none_held(stack: Stack, employee_id: int) -> bool:
    return await stack.held_by(employee_id) == 0


async def _returns_published(stack: Stack, count: int) -> bool:
    outbox = EVENTS.outbox
    async with stack.database.sessionmaker() as session:
        published = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "asset.returned", outbox.c.published_at.is_not(None))
        )
    return (published or 0) >= count


async def _termination(stack: Stack, employee_id: int) -> Envelope:
    outbox = EMPLOYEE_EVENTS.outbox
    async with stack.database.sessionmaker() as session:
        payload = await session.scalar(
            select(outbox.c.payload).where(
                outbox.c.type == "employee.deleted", outbox.c.subject == str(employee_id)
            )
        )
    return Envelope.model_validate(payload)


# --- no call to the employee service while an asset row is locked ---------------------------


async def _asset_row_locked(database: Database, asset_id: int) -> bool:
    """Whether another transaction holds a lock on the asset row (asked from a connection of
    its own): a row lock shows as a RowShare/RowExclusive lock on ``assets`` in pg_locks, and as
    a ``FOR UPDATE NOWAIT`` that fails."""
    async with database.engine.connect() as probe:
        held = await probe.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND c.oid = 'asset_schema.assets'::regclass AND l.pid <> pg_backend_pid()"
                " AND l.mode IN ('RowShareLock', 'RowExclusiveLock')"
            )
        )
        try:
            await probe.execute(
                text("SELECT id FROM asset_schema.assets WHERE id = :id FOR UPDATE NOWAIT"),
                {"id": asset_id},
            )
            row_free = True
        except DBAPIError:
            row_free = False
        await probe.rollback()
    return bool(held) or not row_free


def _stand_in(stack: Stack, asset_id: int, seen: list[bool]) -> FastAPI:
    """An employee service whose batch look-up first checks whether the asset row is locked."""
    app = FastAPI()

    @app.get("/api/v1/employees")
    async def employees(request: Request) -> dict[str, Any]:
        seen.append(await _asset_row_locked(stack.database, asset_id))
        employee_id = int(request.query_params["ids"])
        return {
            "items": [
                {
                    "id": employee_id,
                    "first_name": "New",
                    "last_name": "Comer",
                    "email": "new.comer@tb-erp.test",
                    "status": "active",
                    "department_id": None,
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        }

    return app


async def test_assignment_asks_the_employee_service_before_it_locks_the_asset(
    stack: Stack,
) -> None:
    asset = await stack.asset(await stack.category(), "Laptop")
    # The probe does see a lock when there is one.
    async with stack.database.engine.connect() as holder:
        await holder.execute(
            text("SELECT id FROM asset_schema.assets WHERE id = :id FOR UPDATE"),
            {"id": asset["id"]},
        )
        assert await _asset_row_locked(stack.database, asset["id"]) is True
        await holder.rollback()
    assert await _asset_row_locked(stack.database, asset["id"]) is False

    seen: list[bool] = []
    await stack.use_employee_service(_stand_in(stack, asset["id"], seen))
    response = await stack.assign(asset, 777_001)

    assert response.status_code == 200, response.text
    assert response.json()["assigned_employee_id"] == 777_001
    assert seen == [False]  # asked once, while nothing held the asset row
