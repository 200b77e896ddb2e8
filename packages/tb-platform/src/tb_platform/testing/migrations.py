"""What every service's migration tests look at: tables, sequences, and drift from the models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

from ..db import sync_url


def tables_in(url: str) -> set[str]:
    """Every ``schema.table`` of the database outside PostgreSQL's own schemas."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return {row[0] for row in rows}


def sequences_in(url: str, schema: str) -> set[str]:
    """The ``schema.sequence`` names of one schema."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT sequence_schema || '.' || sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = %s",
            (schema,),
        ).fetchall()
    return {row[0] for row in rows}


def schema_differences(
    url: str, metadata: MetaData, schema: str, *, ignore_index_prefixes: Iterable[str] = ()
) -> list[Any]:
    """What Alembic's autogenerate would change to make ``schema`` match ``metadata``.

    An empty list means the migrations build exactly the models. ``ignore_index_prefixes`` names
    indexes a migration creates only where an extension exists (e.g. trigram indexes).
    """
    prefixes = tuple(ignore_index_prefixes)

    def include_name(name: str | None, type_: str, _: Any) -> bool:
        if type_ == "schema":
            return name == schema
        return not (type_ == "index" and name and prefixes and name.startswith(prefixes))

    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_schemas": True,
                    "version_table_schema": schema,
                    "include_name": include_name,
                    "compare_type": True,
                },
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()
