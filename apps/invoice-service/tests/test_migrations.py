"""Migrations on an empty database: apply, re-apply, roll back, and match the models."""

from collections.abc import Iterator

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import invoice_service.models  # noqa: F401  (registers every table on the metadata)
from invoice_service.cli import ALEMBIC_DIR, main
from invoice_service.db import SCHEMA, TableModel
from tb_platform import migrations
from tb_platform.db import sync_url
from tb_platform.testing import temporary_database


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


def test_migrate_command_builds_only_the_service_schema_and_can_run_twice(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("ENVIRONMENT", "test")
    from invoice_service.core.config import get_settings

    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 0
        first = _tables(empty_database)
        assert main(["migrate"]) == 0
    finally:
        get_settings.cache_clear()

    assert _tables(empty_database) == first
    model_tables = {f"{SCHEMA}.{table.name}" for table in TableModel.metadata.sorted_tables}
    assert first == model_tables | {f"{SCHEMA}.alembic_version"}
    for required in ("customers", "invoices", "payments", "credit_notes", "number_sequences"):
        assert any(name.split(".")[1].startswith(required) for name in first), required


def test_downgrade_to_base_and_upgrade_again(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    migrations.downgrade(ALEMBIC_DIR, empty_database, "base")
    assert _tables(empty_database) == {f"{SCHEMA}.alembic_version"}
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert f"{SCHEMA}.invoices" in _tables(empty_database)


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
                "compare_type": True,
            },
        )
        differences = compare_metadata(context, TableModel.metadata)
    engine.dispose()
    assert differences == []
