"""``asset-service seed-demo``: demo data in several states, and a second run adds nothing.

The seed commits, so it runs against a database of its own rather than the one every other test
shares (where its assets would show up in their lists and summaries). It looks its demo
employees up through the real employee service of the run, which is given demo staff first.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from asset_service.cli import ALEMBIC_DIR, main
from asset_service.core.config import AssetSettings, get_settings
from asset_service.main import create_app
from tb_platform import migrations
from tb_platform.events.catalog import EmployeeCreated
from tb_platform.events.envelope import Envelope
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.testing import TokenFactory, api_client, temporary_database

from .conftest import API, STATUSES, TEST_SECRET, EmployeeService, Staff, _free_port


@pytest.fixture
def seed_database(
    monkeypatch: pytest.MonkeyPatch, employee_service: EmployeeService, database_url: str
) -> Iterator[str]:
    # Demo staff in the employee service (idempotent, like every seed).
    subprocess.run(  # noqa: S603 (our own console script)
        [str(Path(sys.executable).parent / "employee-service"), "seed-demo"],
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "test",
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_COST_KIB": "1024",
            "ARGON2_PARALLELISM": "1",
        },
        check=True,
        capture_output=True,
        timeout=60,
    )
    with temporary_database("tb_seed") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("ENVIRONMENT", "test")
        monkeypatch.setenv("JWT_SECRET", TEST_SECRET)
        monkeypatch.setenv("EMPLOYEE_SERVICE_URL", employee_service.url)
        get_settings.cache_clear()
        try:
            assert main(["migrate"]) == 0
            yield url
        finally:
            get_settings.cache_clear()


async def _snapshot(url: str) -> dict[str, Any]:
    """Everything the seed made, read back through the API."""
    settings = AssetSettings(database_url=url, environment="test", jwt_secret=TEST_SECRET)
    app = create_app(settings)
    tokens = TokenFactory(
        secret=TEST_SECRET, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    headers = tokens.headers("admin", sub="seed-check")
    try:
        async with api_client(app) as client:

            async def everything(path: str) -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = []
                cursor = None
                while True:
                    params: dict[str, Any] = {"limit": 200, "sort": "id"}
                    if cursor:
                        params["cursor"] = cursor
                    response = await client.get(API + path, params=params, headers=headers)
                    assert response.status_code == 200, response.text
                    items += response.json()["items"]
                    cursor = response.json()["next_cursor"]
                    if cursor is None:
                        return items

            assets = await everything("/assets")
            logs = {a["id"]: await everything(f"/assets/{a['id']}/maintenance") for a in assets}
            history = {a["id"]: await everything(f"/assets/{a['id']}/history") for a in assets}
            return {
                "categories": await everything("/categories"),
                "assets": assets,
                "logs": logs,
                "history": history,
                "summary": (await client.get(f"{API}/assets/summary", headers=headers)).json(),
            }
    finally:
        await app.state.database.dispose()


def _stable(value: Any) -> Any:
    """The snapshot without the fields a harmless re-save may touch."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in ("updated_at", "updated_by")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def test_seed_demo_fills_every_state_once(
    seed_database: str, employee_service: EmployeeService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo"]) == 0
    first = asyncio.run(_snapshot(seed_database))
    assert main(["seed-demo"]) == 0
    second = asyncio.run(_snapshot(seed_database))

    assert _stable(second) == _stable(first)
    assets = first["assets"]
    assert len(first["categories"]) >= 2
    assert len(assets) >= 5
    # The employee service has demo staff, so the seed can show every state.
    assert {a["status"] for a in assets} == set(STATUSES)
    holders = {a["assigned_employee_id"] for a in assets if a["assigned_employee_id"]}
    found = httpx.get(
        f"{employee_service.url}/api/v1/employees",
        params={"ids": ",".join(map(str, sorted(holders)))},
        headers=employee_service.admin,
    ).json()["items"]
    assert {e["id"] for e in found} == holders
    assert all(e["status"] != "terminated" for e in found)
    assert len({a["asset_tag"] for a in assets}) == len(assets)
    assert len({c["code"] for c in first["categories"]}) == len(first["categories"])
    assert first["summary"]["total_assets"] == len(assets)
    # Assets in the states that need history have it.
    for asset in assets:
        if asset["status"] == "assigned":
            assert asset["assigned_employee_id"] is not None
            assert first["history"][asset["id"]][0]["returned_at"] is None
        if asset["status"] == "in_maintenance":
            assert any(log["completed_at"] is None for log in first["logs"][asset["id"]])
        if asset["status"] == "disposed":
            assert asset["disposal_date"] is not None
    capsys.readouterr()


def test_sync_employees_fills_the_projection_from_the_employee_service(
    monkeypatch: pytest.MonkeyPatch,
    employee_service: EmployeeService,
    staff: Staff,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with temporary_database("tb_sync") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("ENVIRONMENT", "test")
        monkeypatch.setenv("JWT_SECRET", TEST_SECRET)
        monkeypatch.setenv("EMPLOYEE_SERVICE_URL", employee_service.url)
        get_settings.cache_clear()
        try:
            assert main(["migrate"]) == 0
            assert main(["sync-employees"]) == 0
            assert main(["sync-employees"]) == 0  # again: refreshes, adds nothing twice
        finally:
            get_settings.cache_clear()
        with psycopg.connect(url) as connection:
            rows = dict(connection.execute("SELECT id, status FROM asset_schema.employees"))
    assert rows[staff.alice["id"]] == "active"
    assert rows[staff.gone["id"]] == "terminated"
    assert "employees read from" in capsys.readouterr().out


def test_the_worker_command_applies_events_and_stops_on_sigterm() -> None:
    redis_server = shutil.which("redis-server")
    assert redis_server, "redis-server is not installed"
    # A Redis of its own: the command uses the real stream name, which must not touch the
    # machine's shared Redis.
    port = _free_port()
    broker = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            redis_server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    redis_url = f"redis://127.0.0.1:{port}/0"
    try:
        with temporary_database("tb_worker") as url:
            migrations.upgrade(ALEMBIC_DIR, url)
            worker = subprocess.Popen(  # noqa: S603 (our own console script)
                [str(Path(sys.executable).parent / "asset-service"), "worker"],
                env={
                    **os.environ,
                    "DATABASE_URL": url,
                    "REDIS_URL": redis_url,
                    "ENVIRONMENT": "test",
                    "JWT_SECRET": TEST_SECRET,
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            try:
                hired = Envelope.create(
                    source="employee-service",
                    data=EmployeeCreated(
                        id=4711,
                        first_name="Ada",
                        last_name="Worker",
                        email="ada.worker@tb-erp.test",
                        status="active",
                    ),
                )
                asyncio.run(_publish(redis_url, hired))
                deadline = time.monotonic() + 30
                while _projected(url, 4711) is None:
                    assert worker.poll() is None, worker.communicate()
                    assert time.monotonic() < deadline, "the worker did not apply the event"
                    time.sleep(0.05)
                worker.send_signal(signal.SIGTERM)
                assert worker.wait(timeout=10) == 0, worker.communicate()
            finally:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
    finally:
        broker.kill()
        broker.wait()


async def _publish(redis_url: str, envelope: Envelope) -> None:
    transport = RedisStreamsTransport(redis_url)  # the stream every service uses
    try:
        await transport.publish(envelope)
    finally:
        await transport.close()


def _projected(url: str, employee_id: int) -> str | None:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT status FROM asset_schema.employees WHERE id = %s", (employee_id,)
        ).fetchone()
    return None if row is None else str(row[0])
