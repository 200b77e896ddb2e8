"""The stack's start-up and shut-down, with stand-in services (no database needed)."""

import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tb_devstack.services import Service
from tb_devstack.stack import DevStack, StackError

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stand_in(name: str, **changes: Any) -> Service:
    """A service served by ``python -m http.server``; its seed prints one demo login."""
    fields: dict[str, Any] = {
        "name": name,
        "default_port": free_port(),
        "seed": (PYTHON, "-c", f"print('admin admin@{name}.test pw-{name}')"),
        "serve": (PYTHON, "-m", "http.server", "{port}", "--bind", "127.0.0.1"),
        "ready_path": "/",
        "docs_path": None,
    }
    fields.update(changes)
    return Service(**fields)


def make_stack(root: Path, *services: Service, **environ: str) -> DevStack:
    environ = {"DATABASE_URL": "postgresql://u:p@127.0.0.1:1/none", "PATH": "", **environ}
    return DevStack(
        root=root, environ=environ, services=services, say=lambda _: None, ready_timeout=15
    )


def test_services_start_in_order_and_all_stop_on_leaving(tmp_path):
    first, second = stand_in("first-service"), stand_in("second-service")
    with make_stack(tmp_path, first, second) as stack:
        processes = [r.process for r in stack.running]
        for running in stack.running:
            assert httpx.get(running.url).status_code == 200
        assert [login.email for login in stack.logins] == [
            "admin@first-service.test",
            "admin@second-service.test",
        ]
        # A later service learns where the earlier ones are.
        assert stack._env["FIRST_SERVICE_URL"] == stack.running[0].url
        assert (tmp_path / ".data" / "jwt-secret").is_file()
        banner = stack.banner()
        assert stack.running[1].url in banner
        assert "pw-second-service" in banner
        assert "DATABASE_URL from the environment: postgresql://u:***@127.0.0.1:1/none" in banner
    assert all(process.poll() is not None for process in processes)
    assert stack.running == []


def test_a_service_that_dies_at_start_is_reported_with_its_log(tmp_path):
    crashing = stand_in(
        "crashing-service",
        serve=(PYTHON, "-c", "import sys; print('cannot reach the database'); sys.exit(3)"),
    )
    stack = make_stack(tmp_path, crashing)
    with pytest.raises(StackError, match=r"exited \(code 3\)(.|\n)*cannot reach the database"):
        stack.start()
    stack.stop()


def test_a_failing_migration_stops_the_start_and_says_why(tmp_path):
    broken = stand_in("broken-service", migrate=(PYTHON, "-c", "raise SystemExit('no schema')"))
    stack = make_stack(tmp_path, broken)
    with pytest.raises(StackError, match=r"failed \(exit code 1\):\nno schema"):
        stack.start()
    assert stack.running == []


def test_a_taken_port_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        service = stand_in("busy-service")
        stack = make_stack(tmp_path, service, BUSY_SERVICE_PORT=str(port))
        with pytest.raises(StackError, match=f"port {port} .* BUSY_SERVICE_PORT"):
            stack.start()
    assert stack.running == []
    assert not (tmp_path / ".data").exists()


def test_the_secret_from_the_environment_wins(tmp_path):
    with make_stack(tmp_path, stand_in("one-service"), JWT_SECRET="x" * 40) as stack:
        assert stack._env["JWT_SECRET"] == "x" * 40
        assert stack._env["ENVIRONMENT"] == "development"
