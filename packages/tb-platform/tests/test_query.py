"""tb_platform.query.any_of on a real PostgreSQL: one array parameter whatever the count."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql

from tb_platform.db import Database
from tb_platform.query import any_of

metadata = MetaData()
things = Table(
    "query_things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tag", String(20), nullable=False),
)


def _sql(values: list[int]) -> tuple[str, dict[str, object]]:
    compiled = (
        select(things.c.id)
        .where(any_of(things.c.id, values))
        .compile(
            dialect=postgresql.asyncpg.dialect()  # type: ignore[attr-defined]
        )
    )
    return str(compiled), dict(compiled.params)


def test_the_statement_is_the_same_for_any_number_of_values() -> None:
    few, few_params = _sql([1, 2])
    many, many_params = _sql(list(range(500)))
    assert few == many
    assert "ANY" in few
    assert list(few_params.values()) == [[1, 2]]
    assert list(many_params.values()) == [list(range(500))]


@pytest.mark.asyncio
async def test_it_selects_the_rows_of_the_values_given(database_url: str) -> None:
    db = Database.connect(database_url, pool_size=1, max_overflow=0)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.execute(
                things.insert(), [{"id": n, "tag": f"T{n}"} for n in range(1, 11)]
            )
            ids = await connection.scalars(
                select(things.c.id).where(any_of(things.c.id, (3, 5, 99))).order_by(things.c.id)
            )
            assert ids.all() == [3, 5]
            tags = await connection.scalars(
                select(things.c.tag).where(any_of(things.c.tag, ["T7", "nope"]))
            )
            assert tags.all() == ["T7"]
            assert (
                await connection.scalars(select(things.c.id).where(any_of(things.c.id, [])))
            ).all() == []
            await connection.run_sync(metadata.drop_all)
    finally:
        await db.dispose()
