"""Migrations on an empty database: apply, re-apply, roll back, and match the models."""

from collections.abc import Iterator

import pytest

import asset_service.models  # noqa: F401  (registers every table on the metadata)
from asset_service.cli import ALEMBIC_DIR, main
from asset_service.db import SCHEMA, TableModel
from tb_platform import migrations
from tb_platform.testing import temporary_database
from tb_platform.testing.migrations import schema_differences, sequences_in, tables_in

# Created only where the pg_trgm extension is available, so the models do not declare it.
OPTIONAL_INDEX_PREFIX = "ix_assets_trgm"


@pytest.fixture
def empty_database() -> Iterator[str]:
    with temporary_database("tb_migrations") as url:
        yield url


def test_migrate_command_builds_only_the_service_schema_and_can_run_twice(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("ENVIRONMENT", "test")
    from asset_service.core.config import get_settings

    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 0
        first = tables_in(empty_database)
        assert main(["migrate"]) == 0
    finally:
        get_settings.cache_clear()

    assert tables_in(empty_database) == first
    assert first == {f"{SCHEMA}.alembic_version"} | set(TableModel.metadata.tables)
    assert all(name.startswith(f"{SCHEMA}.") for name in first)
    assert len(first) >= 4  # categories, assets, assignments, maintenance logs at least


def test_downgrade_to_base_and_upgrade_again(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    migrations.downgrade(ALEMBIC_DIR, empty_database, "base")
    assert tables_in(empty_database) == {f"{SCHEMA}.alembic_version"}
    assert sequences_in(empty_database, SCHEMA) == set()
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert tables_in(empty_database) == {f"{SCHEMA}.alembic_version"} | set(
        TableModel.metadata.tables
    )


def test_models_and_migrations_agree(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    differences = schema_differences(
        empty_database, TableModel.metadata, SCHEMA, ignore_index_prefixes=[OPTIONAL_INDEX_PREFIX]
    )
    assert differences == []


def test_the_tag_sequence_exists_after_upgrade(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert f"{SCHEMA}.asset_tag_seq" in sequences_in(empty_database, SCHEMA)
