"""Migrations on an empty database: apply, re-apply, roll back, and match the models."""

from collections.abc import Iterator

import psycopg
import pytest

import invoice_service.models  # noqa: F401  (registers every table on the metadata)
from invoice_service.cli import ALEMBIC_DIR, main
from invoice_service.db import SCHEMA, TableModel
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
    from invoice_service.core.config import get_settings

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
    for required in ("customers", "invoices", "payments", "credit_notes", "number_sequences"):
        assert any(name.split(".")[1].startswith(required) for name in first), required


def test_downgrade_to_base_and_upgrade_again(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    migrations.downgrade(ALEMBIC_DIR, empty_database, "base")
    assert tables_in(empty_database) == {f"{SCHEMA}.alembic_version"}
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert f"{SCHEMA}.invoices" in tables_in(empty_database)


def test_models_and_migrations_agree(empty_database: str) -> None:
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    assert schema_differences(empty_database, TableModel.metadata, SCHEMA) == []


def test_the_tax_id_index_names_customers_that_already_share_a_tax_id(empty_database: str) -> None:
    """Customers entered before the rule that share a tax id (however spelled) stop the
    migration, named so they can be told apart; once they are, the index refuses another."""
    migrations.upgrade(ALEMBIC_DIR, empty_database, "0001")
    with psycopg.connect(empty_database) as connection:
        connection.execute(
            "INSERT INTO invoice_schema.customers (name, tax_id) VALUES"
            " ('Old Twin A', 'SE 5560 1234 56'), ('Old Twin B', 'se556012345601'),"
            " ('Old Twin C', 'se5560123456'), ('Untaxed', NULL), ('Untaxed too', NULL)"
        )
    with pytest.raises(RuntimeError, match="1 Old Twin A; 3 Old Twin C"):
        migrations.upgrade(ALEMBIC_DIR, empty_database)

    with psycopg.connect(empty_database) as connection:
        connection.execute(
            "UPDATE invoice_schema.customers SET tax_id = 'SE0000000001' WHERE id = 3"
        )
    migrations.upgrade(ALEMBIC_DIR, empty_database)
    with (
        psycopg.connect(empty_database) as connection,
        pytest.raises(psycopg.errors.UniqueViolation),
    ):
        connection.execute(
            "INSERT INTO invoice_schema.customers (name, tax_id) VALUES ('Late Twin', 'se 0000000001')"
        )
