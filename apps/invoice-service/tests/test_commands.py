"""The worker and sync-employees commands, run as an operator runs them.

The worker runs as a process of its own against this run's database and a redis-server of the
test's own (the worker publishes to the shared stream name, which the machine's Redis must not
see from a test).
"""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import psycopg
import pytest
from redis.asyncio import Redis

from invoice_service.cli import main
from invoice_service.core.config import InvoiceSettings, get_settings
from tb_platform.events.envelope import Envelope
from tb_platform.events.transport import EXCHANGE

from .conftest import Factory, line


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def own_redis() -> Iterator[str]:
    """A redis-server of this test's own, without persistence; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                pytest.fail("redis-server did not start")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(timeout=5)


async def _stream(redis_url: str) -> tuple[list[Envelope], list[str]]:
    """What the worker published to ``redis_url``, and the consumer groups it declared."""
    redis = Redis.from_url(redis_url)
    try:
        if not await redis.exists(EXCHANGE):
            return [], []
        entries = await redis.xrange(EXCHANGE)
        groups = [g["name"].decode() for g in await redis.xinfo_groups(EXCHANGE)]
    finally:
        await redis.aclose()
    return [Envelope.from_json(fields[b"envelope"]) for _, fields in entries], groups


async def test_the_worker_relays_the_outbox_and_stops_on_sigterm(
    settings: InvoiceSettings,
    committed_client: httpx.AsyncClient,
    make_committed: Factory,
    own_redis: str,
) -> None:
    assert settings.database_url is not None
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": own_redis,
        "ENVIRONMENT": "test",
        "JWT_SECRET": settings.jwt_secret.get_secret_value(),
    }
    env.pop("BROKER_URL", None)
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from invoice_service.cli import main; sys.exit(main())",
        "worker",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        invoice = await make_committed.issued(lines=[line("1", "10.00")])
        deadline = time.monotonic() + 45  # a cold worker start on a loaded machine
        while True:
            published, groups = await _stream(own_redis)
            if published:
                break
            assert worker.returncode is None, "the worker ended before publishing"
            assert time.monotonic() < deadline, "the worker published nothing within 45 s"
            await asyncio.sleep(0.05)
        assert [(e.type, e.subject) for e in published] == [("invoice.issued", str(invoice["id"]))]
        assert groups == ["invoice-service.employees"]

        worker.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(worker.communicate(), timeout=30)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    assert worker.returncode == 0, output.decode()


class _EmployeeList(BaseHTTPRequestHandler):
    """``GET /api/v1/employees``: one page of employees, as the employee service answers."""

    employees: list[dict[str, Any]] = []

    def do_GET(self) -> None:
        body = json.dumps({"items": self.employees, "next_cursor": None, "limit": 200}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        return None


@pytest.fixture
def employee_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmployeeList)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _synced(database_url: str, ids: list[int]) -> dict[int, str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id, status FROM invoice_schema.employees WHERE id = ANY(%s)", (ids,)
        ).fetchall()
    return dict(rows)


def test_sync_employees_fills_the_projection_from_the_employee_service(
    settings: InvoiceSettings,
    employee_api: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert settings.database_url is not None
    ids = [8801, 8802]
    _EmployeeList.employees = [
        {
            "id": employee_id,
            "first_name": "Sync",
            "last_name": str(employee_id),
            "email": f"s{employee_id}@tb-erp.test",
            "status": status,
            "department_id": None,
            "updated_at": "2026-02-01T12:00:00+00:00",
        }
        for employee_id, status in zip(ids, ["active", "terminated"], strict=True)
    ]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("EMPLOYEE_SERVICE_URL", employee_api)
    get_settings.cache_clear()
    try:
        assert main(["sync-employees"]) == 0
        assert "2 employees" in capsys.readouterr().out
        assert _synced(settings.database_url, ids) == {8801: "active", 8802: "terminated"}

        monkeypatch.setenv("EMPLOYEE_SERVICE_URL", f"http://127.0.0.1:{_free_port()}")
        get_settings.cache_clear()
        assert main(["sync-employees"]) == 1
        assert "employee service cannot be reached" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
        with psycopg.connect(settings.database_url) as connection:
            connection.execute("DELETE FROM invoice_schema.employees WHERE id = ANY(%s)", (ids,))
