"""Alembic, schema per service: each service migrates only its own schema and version table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, pool, text

from .db import sync_url


def alembic_config(script_location: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    # ``%`` would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", sync_url(database_url).replace("%", "%%"))
    return config


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    """Apply the service's migrations up to ``revision`` (running it again changes nothing)."""
    command.upgrade(alembic_config(script_location, database_url), revision)


def downgrade(script_location: Path, database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(script_location, database_url), revision)


def run_env(*, metadata: MetaData, schema: str) -> None:
    """The body of a service's ``alembic/env.py``.

    Creates the schema if needed, keeps ``alembic_version`` inside it, compares only that schema
    when autogenerating, and holds an advisory lock so that two replicas starting at once do not
    migrate concurrently.
    """
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=_only_schema(schema),
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    engine = create_engine(url, poolclass=pool.NullPool)  # type: ignore[arg-type]
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": schema})
        try:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            connection.commit()
            context.configure(
                connection=connection,
                target_metadata=metadata,
                version_table_schema=schema,
                include_schemas=True,
                include_name=_only_schema(schema),
                compare_type=True,
                transaction_per_migration=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": schema})
            connection.commit()
    engine.dispose()


def _only_schema(schema: str) -> Any:
    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "schema":
            return name == schema
        return True

    return include_name
