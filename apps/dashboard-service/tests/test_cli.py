"""The command line: rebuild with the services unreachable changes nothing; seed-demo is a no-op."""

import socket
from collections.abc import Iterator

import psycopg
import pytest

from dashboard_service.cli import main
from dashboard_service.core.config import get_settings
from tb_platform.testing import temporary_database


def _dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with temporary_database("tb_cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("ENVIRONMENT", "test")
        monkeypatch.delenv("REDIS_URL", raising=False)
        get_settings.cache_clear()
        assert main(["migrate"]) == 0
        yield url
        get_settings.cache_clear()


def test_rebuild_with_a_service_down_fails_and_leaves_the_read_model_alone(
    migrated: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(migrated, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO dashboard_schema.employees (id, status, as_of, changed_at)"
            " VALUES (1, 'active', now(), now())"
        )
    for name in ("EMPLOYEE_SERVICE_URL", "ASSET_SERVICE_URL", "INVOICE_SERVICE_URL"):
        monkeypatch.setenv(name, _dead_url())
    monkeypatch.setenv("SOURCE_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()

    assert main(["rebuild"]) == 1
    error = capsys.readouterr().err
    assert "cannot be reached" in error
    assert "not changed" in error
    with psycopg.connect(migrated) as connection:
        rows = connection.execute("SELECT id FROM dashboard_schema.employees").fetchall()
    assert rows == [(1,)]


def test_seed_demo_adds_nothing(migrated: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed-demo"]) == 0
    assert capsys.readouterr().out == ""


def test_the_worker_command_is_there(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    usage = capsys.readouterr().out
    for command in ("migrate", "serve", "worker", "rebuild", "seed-demo"):
        assert command in usage
