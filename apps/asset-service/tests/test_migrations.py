"""Migrations on an empty database: apply, re-apply, roll back, and match the models."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

import asset_service.models  # noqa: F401  (registers every table on the metadata)
from asset_service.cli import ALEMBIC_DIR, main
from asset_service.db import SCHEMA, TableModel
from tb_platform import migrations
from tb_platform.db import sync_url
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


def test_schedule_months_survive_the_move_to_one_row_per_asset_and_back(
    empty_database: str,
) -> None:
    """0005 turns one row per month into one row of month arrays per asset, and back."""
    months = [
        ("2024-01-15", "2024-01-31", "10.00", "10.00", "110.00"),
        ("2024-02-01", "2024-02-29", "20.00", "30.00", "90.00"),
        ("2024-03-01", "2024-03-31", "30.00", "60.00", "60.00"),
    ]
    migrations.upgrade(ALEMBIC_DIR, empty_database, "0004")
    engine = create_engine(sync_url(empty_database))
    try:
        with engine.begin() as connection:
            category = connection.scalar(
                text(
                    "INSERT INTO asset_schema.asset_categories (name, code, "
                    "default_useful_life_months, default_depreciation_method, "
                    "default_salvage_percent) VALUES ('IT', 'IT', 3, 'straight_line', 0) "
                    "RETURNING id"
                )
            )
            asset = connection.scalar(
                text(
                    "INSERT INTO asset_schema.assets (asset_tag, name, category_id, status, "
                    "purchase_date, purchase_cost, salvage_value, currency, useful_life_months, "
                    "depreciation_method, created_by, updated_by) VALUES ('AST-1', 'Laptop', "
                    ":category, 'in_stock', '2024-01-15', 120.00, 0, 'EUR', 3, 'straight_line', "
                    "'t', 't') RETURNING id"
                ),
                {"category": category},
            )
            for month in reversed(months):  # stored out of order: the arrays must still ascend
                connection.execute(
                    text(
                        "INSERT INTO asset_schema.depreciation_schedules (asset_id, period_start, "
                        "period_end, depreciation_amount, accumulated_depreciation, book_value) "
                        "VALUES (:asset, :s, :e, :d, :a, :b)"
                    ),
                    dict(zip(("s", "e", "d", "a", "b"), month, strict=True), asset=asset),
                )

        migrations.upgrade(ALEMBIC_DIR, empty_database)
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT asset_id, period_starts::text[], period_ends::text[], "
                    "depreciation_amounts::text[], accumulated_depreciation::text[], "
                    "book_values::text[] FROM asset_schema.depreciation_schedules"
                )
            ).one()
        assert row[0] == asset
        assert [list(column) for column in row[1:]] == [list(c) for c in zip(*months, strict=True)]

        migrations.downgrade(ALEMBIC_DIR, empty_database, "0004")
        with engine.connect() as connection:
            back = connection.execute(
                text(
                    "SELECT period_start::text, period_end::text, depreciation_amount::text, "
                    "accumulated_depreciation::text, book_value::text "
                    "FROM asset_schema.depreciation_schedules WHERE asset_id = :asset "
                    "ORDER BY period_start"
                ),
                {"asset": asset},
            ).all()
        assert [tuple(r) for r in back] == months
    finally:
        engine.dispose()
