"""The stack's start-up and shut-down, with stand-in services and a real PostgreSQL."""

import re
import socket

import httpx
import pytest
from conftest import PYTHON, make_stack, stand_in

from tb_devstack.stack import StackError


def test_services_start_in_order_and_all_stop_on_leaving(root, postgres_url):
    first, second = stand_in("first-service", root), stand_in("second-service", root)
    with make_stack(root, first, second, DATABASE_URL=postgres_url) as stack:
        processes = [r.process for r in stack.running]
        for running in stack.running:
            assert httpx.get(running.url + "/ready").status_code == 200
        assert [login.email for login in stack.logins] == [
            "admin@first-service.test",
            "admin@second-service.test",
        ]
        # A later service learns where the earlier ones are.
        assert stack._env["FIRST_SERVICE_URL"] == stack.running[0].url
        assert (root / ".data" / "jwt-secret").is_file()
        banner = stack.banner()
        assert stack.running[1].url + "/docs" in banner
        assert "pw-second-service" in banner
        assert "DATABASE_URL from the environment: postgresql://postgres:@/postgres" in banner
    assert all(process.poll() is not None for process in processes)
    assert stack.running == []
    assert stack.stop_problems == []


def test_every_url_the_banner_prints_opens_a_page(root, postgres_url):
    # The stand-ins answer 404 at their bare root, as the services do: the banner must not
    # send a person there.
    services = stand_in("first-service", root), stand_in("second-service", root)
    with make_stack(root, *services, DATABASE_URL=postgres_url) as stack:
        urls = re.findall(r"https?://\S+", stack.banner())
        for url in urls:
            assert httpx.get(url).status_code == 200, url
        assert urls == [running.url + "/docs" for running in stack.running]


def test_a_service_that_dies_at_start_is_reported_with_its_log(root, postgres_url):
    crashing = stand_in(
        "crashing-service",
        root,
        serve=(PYTHON, "-c", "import sys; print('cannot reach the database'); sys.exit(3)"),
    )
    stack = make_stack(root, crashing, DATABASE_URL=postgres_url)
    with pytest.raises(StackError, match=r"exited \(code 3\)(.|\n)*cannot reach the database"):
        stack.start()
    assert stack.stop()


def test_a_failing_migration_stops_the_start_and_says_why(root, postgres_url):
    broken = stand_in(
        "broken-service", root, migrate=(PYTHON, "-c", "raise SystemExit('no schema')")
    )
    stack = make_stack(root, broken, DATABASE_URL=postgres_url)
    with pytest.raises(StackError, match=r"failed \(exit code 1\):\nno schema") as failure:
        stack.start()
    assert failure.value.detail == "no schema\n"  # what `up --verbose` prints
    assert stack.running == []
    assert stack.stop()


def test_a_taken_port_is_refused_before_anything_starts(root, postgres_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        service = stand_in("busy-service", root)
        stack = make_stack(root, service, BUSY_SERVICE_PORT=str(port), DATABASE_URL=postgres_url)
        with pytest.raises(StackError, match=f"port {port} .* BUSY_SERVICE_PORT"):
            stack.start()
    assert stack.running == []
    assert not stack.started_anything
    # Only the stack's lock: no logs, no PostgreSQL, no secret.
    assert [p.name for p in (root / ".data").iterdir()] == ["up.lock"]
    assert stack.stop()


def test_the_secret_from_the_environment_wins(root, postgres_url):
    with make_stack(
        root, stand_in("one-service", root), JWT_SECRET="x" * 40, DATABASE_URL=postgres_url
    ) as stack:
        assert stack._env["JWT_SECRET"] == "x" * 40
        assert stack._env["ENVIRONMENT"] == "development"
