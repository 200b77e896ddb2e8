"""Gap-free document numbers: INV-2026-000001, CN-2026-000001.

One row per (kind, year) in ``number_sequences``, incremented in the transaction that issues the
document. The upsert takes the row's lock, so concurrent issues queue behind each other; a
transaction that rolls back rolls its increment back with it. Numbers are therefore consecutive,
never repeated and never skipped (unlike a PostgreSQL SEQUENCE, which does not roll back).
"""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from ..models import NumberSequence, SequenceKind


async def next_number(session: AsyncSession, *, kind: SequenceKind, year: int) -> str:
    statement = (
        insert(NumberSequence)
        .values(kind=kind.value, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=["kind", "year"],
            set_={"last_value": col(NumberSequence.last_value) + 1},
        )
        .returning(col(NumberSequence.last_value))
    )
    value = (await session.execute(statement)).scalar_one()
    return f"{kind.value}-{year:04d}-{value:06d}"
