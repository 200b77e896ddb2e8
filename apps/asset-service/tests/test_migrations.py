"""Migrations on an empty database: apply, re-apply, roll back, and match the models."""

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import asset_service.models  # noqa: F401  (registers every table on the metadata)
from asset_service.cli import ALEMBIC_DIR, main
from asset_service.db import SCHEMA, TableModel
from tb_platform import migrations
from tb_platform.db import sync_url
from tb_platform.testing import temporary_database

# Created only where the pg_trgm extension is available, so the models do not declare it.
OPTIONAL_INDEX_PREFIX = "ix_assets_trgm"


@pytest.fixture
def empty_database() -> Iterator[str]:
    with temporary_database("tb_migrations") as url:
        yield url


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return {row[0] for row in rows}


def _sequences(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT sequence_schema || '.' || sequence_name FROM information_schema.sequences"
        ).fetchall()
    return {row[0] for row in rows}


def test_migrate_command_builds_only_the_service_schema_and_can_run_twice(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("ENVIRONMENT", "test")
    from asset_service.core.config import get_settings

    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 0
        first = _tables(empty_database)
        assert main(["migrate"]) == 0
    finally:
        get_settings.cache_clear()

    assert _tables(empty_database) == first
    assert first == {f"{SCHEMA}.alembic_version"} | set(TableModel.metadata.tables)
    assert all(name.startswith(f"{SCHEMA}.") for name in first)
    assert len(first) >= 4  # categories, assets, assignments, maintenance logs at least


def test_downgrade_to_base_and_upgrade_again(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    migrations.downgrade(ALEMBIC_DIR, empty_database, "base")
    assert _tables(empty_database) == {f"{SCHEMA}.alembic_version"}
    assert {s for s in _sequences(empty_database) if s.startswith(f"{SCHEMA}.")} == set()
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert _tables(empty_database) == {f"{SCHEMA}.alembic_version"} | set(
        TableModel.metadata.tables
    )


def _compared(type_: str, name: str | None) -> bool:
    return not (type_ == "index" and name and name.startswith(OPTIONAL_INDEX_PREFIX))


def test_models_and_migrations_agree(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    engine = create_engine(sync_url(empty_database))
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "version_table_schema": SCHEMA,
                "include_name": lambda name, type_, _: type_ != "schema" or name == SCHEMA,
                "include_object": lambda _obj, name, type_, *_rest: _compared(type_, name),
                "compare_type": True,
            },
        )
        differences: list[Any] = compare_metadata(context, TableModel.metadata)
    engine.dispose()
    assert differences == []
