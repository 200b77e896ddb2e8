"""``employee-service worker``: relays the outbox, drops the cached copy of a changed employee,
and stops cleanly on SIGTERM — as a process of its own, on a database and a Redis of its own."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from employee_service.cli import ALEMBIC_DIR
from employee_service.core.config import EmployeeSettings
from employee_service.core.security import passwords_for
from employee_service.db.events import EVENTS
from employee_service.schemas.employee import EmployeeCreate
from employee_service.services.employees import create_employee
from employee_service.worker import CACHE_CONSUMER
from tb_platform import migrations
from tb_platform.db import Database
from tb_platform.testing import temporary_database
from tb_platform.uow import Actor, unit_of_work

NAMESPACE = "tb-erp-test-worker:employee-service"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A redis-server of the test's own: the worker's consumer group stays off the shared one."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.kill()
        server.wait(timeout=5)


@pytest.fixture
def database() -> Iterator[str]:
    with temporary_database("tb_worker") as url:
        migrations.upgrade(ALEMBIC_DIR, url)
        yield url


async def _hire(url: str, settings: EmployeeSettings) -> int:
    database = Database.connect(url, pool_size=1, max_overflow=0)
    try:
        async with unit_of_work(database, actor=Actor.system("tests"), outbox=EVENTS) as uow:
            employee = await create_employee(
                uow,
                data=EmployeeCreate(first_name="Wally", last_name="Worker", email="w@tb-erp.test"),
                passwords=passwords_for(settings),
            )
        assert employee.id is not None
        return employee.id
    finally:
        await database.dispose()


async def _handled(url: str) -> tuple[list[object], list[object]]:
    database = Database.connect(url, pool_size=1, max_overflow=0)
    try:
        async with database.sessionmaker() as session:
            published = (await session.scalars(select(EVENTS.outbox.c.published_at))).all()
            applied = (
                await session.scalars(
                    select(EVENTS.inbox.c.event_id).where(EVENTS.inbox.c.consumer == CACHE_CONSUMER)
                )
            ).all()
        return list(published), list(applied)
    finally:
        await database.dispose()


async def test_the_worker_relays_events_clears_the_cache_and_stops_on_sigterm(
    database: str, redis_url: str, settings: EmployeeSettings
) -> None:
    employee_id = await _hire(database, settings)  # committed, its employee.created waiting
    redis = Redis.from_url(redis_url)
    key = f"{NAMESPACE}:employee:{employee_id}"
    await redis.set(key, '{"first_name": "stale"}')
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from employee_service.cli import main; raise SystemExit(main())",
        "worker",
        env={
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": redis_url,
            "CACHE_NAMESPACE": NAMESPACE,
            "ENVIRONMENT": "test",
            "LOG_LEVEL": "info",
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while await redis.exists(key):
            assert worker.returncode is None, await worker.communicate()
            assert time.monotonic() < deadline, "the worker did not clear the cached employee"
            await asyncio.sleep(0.05)

        published, applied = await _handled(database)
        assert len(published) == 1
        assert published[0] is not None
        assert len(applied) == 1

        worker.send_signal(signal.SIGTERM)
        _, errors = await asyncio.wait_for(worker.communicate(), timeout=30)  # a loaded CI machine
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.communicate()
        await redis.aclose()

    log = errors.decode()
    assert worker.returncode == 0, log
    assert f"relay on, consumers {CACHE_CONSUMER}" in log
    assert "received SIGTERM" in log
    assert "event worker stopped" in log
