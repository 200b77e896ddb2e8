"""Writing the read model: one row per aggregate, replaced only by figures at least as new.

Every function upserts the aggregate's row with the figures an event (or a rebuild) carries and
``as_of``, the time they are from. The row changes only when ``as_of`` is not older than the
row's own, so an event delivered late (after a newer one of the same aggregate) or again (after a
replay) leaves it as it is. Nothing is ever added to a running total: the summary aggregates the
rows, so the same figures written twice count once.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Executable, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from tb_platform.events.catalog import AssetData, EmployeeData, InvoiceData

from ..models import (
    STATE_ID,
    Asset,
    AssetCategory,
    Department,
    Employee,
    Invoice,
    Payment,
    ReadModelState,
)

TERMINATED = "terminated"
VOID = "void"


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel table class."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


async def upsert_if_newer(
    session: AsyncSession, model: type[SQLModel], values: Mapping[str, Any]
) -> bool:
    """Insert the row, or update it when ``values['as_of']`` is not older than its own.

    Returns whether the row was written (False: a newer state was already there).
    """
    return await upsert_many_if_newer(session, model, [values])


async def upsert_many_if_newer(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]
) -> bool:
    """:func:`upsert_if_newer` of ``rows`` (all with the same keys) in one statement; whether
    any row was written.

    Rows of one aggregate are first folded as writing them one by one in order would: the last
    of the newest wins. (One statement cannot touch a row twice.)
    """
    newest: dict[Any, Mapping[str, Any]] = {}
    for row in rows:
        kept = newest.get(row["id"])
        if kept is None or kept["as_of"] <= row["as_of"]:
            newest[row["id"]] = row
    if not newest:
        return False
    upsert = _upsert(table_of(model), tuple(rows[0]))
    # Many parameter sets to one statement: SQLAlchemy sends them as one multi-row INSERT, and
    # compiles the statement once for all batches (a VALUES list built per batch was compiled
    # anew each time: most of the consumer's time in a burst).
    return (await session.execute(upsert, list(newest.values()))).first() is not None


@functools.lru_cache(maxsize=32)
def _upsert(table: Table, names: tuple[str, ...]) -> Executable:
    insert = pg_insert(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={name: insert.excluded[name] for name in names if name != "id"},
        # Not older (rather than newer): two events of one aggregate written at the same
        # instant arrive in the order they were written, so the later one wins.
        where=table.c.as_of <= insert.excluded.as_of,
    ).returning(table.c.id)


async def insert_once(
    session: AsyncSession, model: type[SQLModel], values: Mapping[str, Any]
) -> bool:
    """Insert a row that never changes once written (a payment); False if it was there."""
    table = table_of(model)
    statement = pg_insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    return (await session.scalar(statement)) is not None


async def record_employee(
    session: AsyncSession,
    *,
    employee: EmployeeData,
    status: str,
    as_of: dt.datetime,
    changed_at: dt.datetime,
) -> bool:
    """The employee's status and department, and the department's name when the event has one."""
    changed = await upsert_if_newer(
        session,
        Employee,
        {
            "id": employee.id,
            "status": status,
            "department_id": employee.department_id,
            "as_of": as_of,
            "changed_at": changed_at,
        },
    )
    if employee.department_id is not None and employee.department_name is not None:
        changed |= await record_name(
            session,
            Department,
            id=employee.department_id,
            name=employee.department_name,
            as_of=as_of,
            changed_at=changed_at,
        )
    return changed


async def record_assets(
    session: AsyncSession,
    *,
    assets: Sequence[tuple[AssetData, dt.datetime]],
    changed_at: dt.datetime,
) -> bool:
    """Each asset's status, category and money figures (with the time they are from), and its
    category's name: one statement for the assets and one for the names."""
    changed = await upsert_many_if_newer(
        session,
        Asset,
        [
            {
                "id": asset.id,
                "status": asset.status,
                "category_id": asset.category_id,
                "currency": asset.currency,
                "purchase_cost": asset.purchase_cost,
                "book_value": asset.book_value,
                "as_of": as_of,
                "changed_at": changed_at,
            }
            for asset, as_of in assets
        ],
    )
    names = [
        {
            "id": asset.category_id,
            "name": asset.category_name,
            "as_of": as_of,
            "changed_at": changed_at,
        }
        for asset, as_of in assets
        if asset.category_id is not None and asset.category_name is not None
    ]
    return await upsert_many_if_newer(session, AssetCategory, names) or changed


async def record_invoice(
    session: AsyncSession,
    *,
    invoice: InvoiceData,
    status: str,
    as_of: dt.datetime,
    changed_at: dt.datetime,
) -> bool:
    """The invoice's latest totals: what it came to, what was credited, paid and is still due."""
    return await upsert_if_newer(
        session,
        Invoice,
        {
            "id": invoice.id,
            "status": status,
            "currency": invoice.currency,
            "issue_date": invoice.issue_date,
            "total": invoice.total,
            "credited_total": invoice.credited_total,
            "amount_paid": invoice.amount_paid,
            "balance_due": invoice.balance_due,
            "as_of": as_of,
            "changed_at": changed_at,
        },
    )


async def record_payment(
    session: AsyncSession,
    *,
    payment_id: int,
    invoice_id: int,
    currency: str,
    amount: Decimal,
    paid_at: dt.datetime,
    as_of: dt.datetime,
    changed_at: dt.datetime,
) -> bool:
    """A payment (negative: a refund), once per payment id."""
    return await insert_once(
        session,
        Payment,
        {
            "id": payment_id,
            "invoice_id": invoice_id,
            "currency": currency,
            "amount": amount,
            "paid_at": paid_at,
            "as_of": as_of,
            "changed_at": changed_at,
        },
    )


async def record_name(
    session: AsyncSession,
    model: type[Department] | type[AssetCategory],
    *,
    id: int,
    name: str,
    as_of: dt.datetime,
    changed_at: dt.datetime,
) -> bool:
    """A department's or category's name, as the newest event that carried it says."""
    return await upsert_if_newer(
        session, model, {"id": id, "name": name, "as_of": as_of, "changed_at": changed_at}
    )


async def mark_changed(session: AsyncSession, *, at: dt.datetime) -> int:
    """Bump the read model's version (in the caller's transaction); returns the new one.

    Called after the rows are written: the row lock it takes is held to the commit, so a
    version never becomes visible before the change it stands for.
    """
    table = table_of(ReadModelState)
    insert = pg_insert(table).values(id=STATE_ID, version=1, updated_at=at)
    upsert = insert.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={"version": table.c.version + 1, "updated_at": insert.excluded.updated_at},
    )
    version = await session.scalar(upsert.returning(table.c.version))
    assert version is not None
    return int(version)


async def current_state(session: AsyncSession) -> tuple[int, dt.datetime | None]:
    """The read model's committed version and when it last changed ((0, None) when new)."""
    table = table_of(ReadModelState)
    row = (
        await session.execute(
            select(table.c.version, table.c.updated_at).where(table.c.id == STATE_ID)
        )
    ).one_or_none()
    return (int(row.version), row.updated_at) if row else (0, None)


def invoice_status(invoice: InvoiceData, event_type: str) -> str:
    """The invoice's status: the event's, else what its type and figures imply."""
    if event_type == "invoice.voided":
        return VOID
    if invoice.status:
        return invoice.status
    if invoice.balance_due == 0:
        return "paid"
    return "partially_paid" if invoice.amount_paid > 0 else "issued"
