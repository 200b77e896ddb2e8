"""Migrations on an empty database: apply, re-apply, roll back, and match the models."""

from collections.abc import Iterator

import psycopg
import pytest

from employee_service.cli import ALEMBIC_DIR, main
from employee_service.db import SCHEMA, TableModel
from tb_platform import migrations
from tb_platform.testing import temporary_database
from tb_platform.testing.migrations import schema_differences, tables_in


@pytest.fixture
def empty_database() -> Iterator[str]:
    with temporary_database("tb_migrations") as url:
        yield url


def test_migrate_command_builds_only_the_service_schema_and_can_run_twice(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("ENVIRONMENT", "test")
    from employee_service.core.config import get_settings

    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 0
        first = tables_in(empty_database)
        assert main(["migrate"]) == 0
    finally:
        get_settings.cache_clear()

    assert tables_in(empty_database) == first
    assert first == {
        f"{SCHEMA}.{name}"
        for name in (
            "alembic_version",
            "attendance",
            "audit_log",
            "dead_letters",
            "departments",
            "employee_roles",
            "employees",
            "inbox",
            "login_failures",
            "outbox",
            "roles",
            "saved_views",
        )
    }
    with psycopg.connect(empty_database) as connection:
        roles = connection.execute(
            f"SELECT name FROM {SCHEMA}.roles ORDER BY name"  # noqa: S608 (a constant)
        ).fetchall()
    assert [r[0] for r in roles] == [
        "accountant",
        "admin",
        "asset_manager",
        "employee",
        "hr_manager",
    ]


def test_downgrade_to_base_and_upgrade_again(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    migrations.downgrade(ALEMBIC_DIR, empty_database, "base")
    assert tables_in(empty_database) == {f"{SCHEMA}.alembic_version"}
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert f"{SCHEMA}.employees" in tables_in(empty_database)


def test_models_and_migrations_agree(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert schema_differences(empty_database, TableModel.metadata, SCHEMA) == []
