"""The command line: create-admin and seed-demo against a fresh, migrated database."""

from collections.abc import Iterator

import psycopg
import pytest
from argon2 import PasswordHasher

from employee_service.cli import main
from employee_service.core.config import get_settings
from tb_platform.testing import temporary_database


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with temporary_database("tb_cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("ENVIRONMENT", "test")
        monkeypatch.setenv("ARGON2_MEMORY_COST_KIB", "1024")
        monkeypatch.setenv("ARGON2_TIME_COST", "1")
        get_settings.cache_clear()
        assert main(["migrate"]) == 0
        yield url
        get_settings.cache_clear()


def _admins(url: str) -> list[tuple[str, str, bool]]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT e.email, e.password_hash, e.login_enabled FROM employee_schema.employees e "
            "JOIN employee_schema.employee_roles er ON er.employee_id = e.id "
            "JOIN employee_schema.roles r ON r.id = er.role_id WHERE r.name = 'admin'"
        ).fetchall()


def _events(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT type, payload->>'source' FROM employee_schema.outbox ORDER BY id"
        ).fetchall()
    return [(row[0], row[1]) for row in rows]


def test_create_admin_creates_then_resets_one_login(migrated: str) -> None:
    assert main(["create-admin", "--email", "Boss@Corp.test", "--password", "first-password"]) == 0
    assert main(["create-admin", "--email", "boss@corp.test", "--password", "second-password"]) == 0

    admins = _admins(migrated)
    assert len(admins) == 1
    email, password_hash, enabled = admins[0]
    assert email == "Boss@corp.test"
    assert enabled is True
    assert password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(password_hash, "second-password")
    # Each command is one unit of work, with the events of what it changed.
    assert _events(migrated) == [
        ("employee.created", "employee-service"),
        ("employee.updated", "employee-service"),
    ]


def test_create_admin_refuses_bad_input(migrated: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-admin", "--email", "not-an-email", "--password", "long-enough"]) == 2
    assert main(["create-admin", "--email", "a@corp.test", "--password", "short"]) == 2
    assert "password" in capsys.readouterr().err
    assert _admins(migrated) == []
    assert _events(migrated) == []


def _counts(url: str) -> tuple[int, ...] | None:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT (SELECT count(*) FROM employee_schema.employees), "
            "(SELECT count(*) FROM employee_schema.departments), "
            "(SELECT count(*) FROM employee_schema.attendance)"
        ).fetchone()


def test_seed_demo_is_idempotent_and_gives_one_login_per_role(
    migrated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo"]) == 0
    printed = capsys.readouterr().out.split()
    counts = _counts(migrated)
    assert main(["seed-demo"]) == 0
    again = _counts(migrated)
    with psycopg.connect(migrated) as connection:
        roles = connection.execute(
            "SELECT DISTINCT r.name FROM employee_schema.roles r "
            "JOIN employee_schema.employee_roles er ON er.role_id = r.id"
        ).fetchall()
    assert again == counts
    assert counts is not None
    assert counts[0] >= 5
    created = [kind for kind, _ in _events(migrated) if kind == "employee.created"]
    assert len(created) == counts[0]
    assert {r[0] for r in roles} == {
        "admin",
        "hr_manager",
        "asset_manager",
        "accountant",
        "employee",
    }
    for role in ("admin", "hr_manager", "asset_manager", "accountant", "employee"):
        assert role in printed
