"""Migrations on an empty database: apply, re-apply, roll back, and match the models."""

from collections.abc import Iterator

import pytest

import notification_service.models  # noqa: F401  (registers every table on the metadata)
from notification_service.cli import ALEMBIC_DIR, main
from notification_service.db import SCHEMA, TableModel
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
    from notification_service.core.config import get_settings

    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 0
        first = tables_in(empty_database)
        assert main(["migrate"]) == 0
    finally:
        get_settings.cache_clear()

    assert tables_in(empty_database) == first
    model_tables = {f"{SCHEMA}.{table.name}" for table in TableModel.metadata.sorted_tables}
    assert first == model_tables | {f"{SCHEMA}.alembic_version"}
    for table in ("notifications", "outbox", "inbox", "dead_letters"):
        assert f"{SCHEMA}.{table}" in first


def test_downgrade_to_base_and_upgrade_again(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    migrations.downgrade(ALEMBIC_DIR, empty_database, "base")
    assert tables_in(empty_database) == {f"{SCHEMA}.alembic_version"}
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert f"{SCHEMA}.notifications" in tables_in(empty_database)


def test_models_and_migrations_agree(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert schema_differences(empty_database, TableModel.metadata, SCHEMA) == []
