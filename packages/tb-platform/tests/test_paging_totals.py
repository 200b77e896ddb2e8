"""``total`` on a real PostgreSQL: exact up to EXACT_TOTAL_UP_TO rows, an estimate flagged as such
beyond (the count stops one row past the bound), exact again when asked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import Column, Integer, MetaData, String, Table, select, text

from tb_platform import paging
from tb_platform.db import Database
from tb_platform.paging import ListParams, Sorting, paginate

pytestmark = pytest.mark.asyncio

metadata = MetaData()
rows = Table(
    "paging_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),
)
SORTING = Sorting(fields={"id": rows.c.id}, default="id", tiebreaker=rows.c.id)


@pytest_asyncio.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.connect(database_url, pool_size=2, max_overflow=0)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        # 3 000 'a' and 60 'b' rows; the planner learns the table's size from ANALYZE.
        await connection.execute(
            text(
                "INSERT INTO paging_rows SELECT n, CASE WHEN n % 50 = 0 THEN 'b' ELSE 'a' END"
                " FROM generate_series(1, 3000) AS n"
            )
        )
        await connection.execute(text("ANALYZE paging_rows"))
    try:
        yield db
    finally:
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)
        await db.dispose()


async def _page(
    database: Database, *, where: str | None = None, exact: bool = False
) -> paging.PageResult[object]:
    statement = select(rows)
    if where is not None:
        statement = statement.where(rows.c.kind == where)
    async with database.sessionmaker() as session:
        return await paginate(
            session,
            statement,
            params=ListParams(limit=5, exact_total=exact),
            sorting=SORTING,
            as_rows=True,
        )


async def test_a_list_within_the_bound_is_counted_exactly(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "EXACT_TOTAL_UP_TO", 5_000)
    page = await _page(database)
    assert (page.total, page.total_is_estimate) == (3000, False)
    assert len(page.rows) == 5


async def test_beyond_the_bound_the_total_is_the_planners_estimate_flagged(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "EXACT_TOTAL_UP_TO", 1_000)
    page = await _page(database)
    assert page.total_is_estimate is True
    assert page.total is not None
    # ANALYZE saw every row of this small table: the estimate is close, never below the bound.
    assert 1_001 <= page.total <= 3_300
    # A filter's parameters reach the EXPLAIN too: few rows match, so they are counted exactly.
    filtered = await _page(database, where="b")
    assert (filtered.total, filtered.total_is_estimate) == (60, False)


async def test_exact_total_counts_every_row_when_asked(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "EXACT_TOTAL_UP_TO", 1_000)
    page = await _page(database, exact=True)
    assert (page.total, page.total_is_estimate) == (3000, False)


async def test_a_filtered_list_beyond_the_bound_is_estimated_with_its_parameters(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "EXACT_TOTAL_UP_TO", 100)
    page = await _page(database, where="a")
    assert page.total_is_estimate is True
    assert page.total is not None
    assert 101 <= page.total <= 3_300


async def test_an_estimate_is_reused_for_a_while_and_a_count_never_is(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "EXACT_TOTAL_UP_TO", 1_000)
    monkeypatch.setattr(paging, "_ESTIMATES", paging.OrderedDict())
    first = await _page(database)
    assert first.total_is_estimate is True
    async with database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM paging_rows WHERE id > 500"))
        await connection.execute(text("ANALYZE paging_rows"))
    # Within ESTIMATE_SECONDS the same list is given the same estimate without asking again...
    again = await _page(database)
    assert (again.total, again.total_is_estimate) == (first.total, True)
    # ...while a count is never kept: the other filter is counted, and sees the deletion.
    assert (await _page(database, where="b")).total == 10
    # Once the estimate is older than ESTIMATE_SECONDS the list is counted again: 500 rows now.
    later = paging._now() + paging.ESTIMATE_SECONDS + 1
    monkeypatch.setattr(paging, "_now", lambda: later)
    recounted = await _page(database)
    assert (recounted.total, recounted.total_is_estimate) == (500, False)
