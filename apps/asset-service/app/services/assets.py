"""Assets: registration, changes, assignment, disposal, lists and the dashboard summary.

Every change loads its asset with :func:`lock_asset` (``SELECT … FOR UPDATE``) and publishes the
asset as it is afterwards. The rule "only current employees hold assets" is
:func:`holder_problems`, whatever the path (assignment, import, demo data); it is checked against
the employee projection, and asks the employee service — before any asset row is locked — only
for ids the projection does not know yet.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    BindParameter,
    Date,
    Enum,
    Insert,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.columns import MONEY
from tb_platform.db import fetch_rows
from tb_platform.employee_directory import EmployeeDirectory, current_employees, employee_problem
from tb_platform.errors import Conflict, InvalidField, NotFound
from tb_platform.events.catalog import (
    AssetAssigned,
    AssetCreated,
    AssetDisposed,
    AssetReturned,
    AssetUpdated,
)
from tb_platform.money import check_minor_unit, round_money
from tb_platform.paging import ListParams, PageResult, Sorting, core_connection, paginate
from tb_platform.query import any_of, contains_text
from tb_platform.rbac import Grant
from tb_platform.uow import UnitOfWork

from ..models import (
    ASSET_TAG_SEQUENCE,
    Asset,
    AssetAssignment,
    AssetCategory,
    AssetStatus,
    DepreciationMethod,
    DepreciationSchedule,
    MaintenanceLog,
)
from ..schemas.asset import AssetBulk, AssetCreate, AssetUpdate
from .events import asset_event_data, publish_asset
from .schedules import (
    MONTH_COLUMNS,
    accumulated_on,
    depreciated_in_total,
    latest_accumulated,
    regenerate_schedule,
    schedule_row,
)

EARLIEST_PURCHASE = dt.date(1900, 1, 1)
# Inputs the schedule is computed from: changing any of them rebuilds it.
SCHEDULE_INPUTS = frozenset(
    {
        "purchase_cost",
        "salvage_value",
        "useful_life_months",
        "depreciation_method",
        "declining_rate",
        "purchase_date",
        "currency",
    }
)

# Sorting takes InstrumentedAttribute columns; SQLModel types the fields as their Python values.
SORTING = Sorting(
    fields={
        "asset_tag": Asset.asset_tag,  # type: ignore[dict-item]
        "name": Asset.name,  # type: ignore[dict-item]
        "purchase_date": Asset.purchase_date,  # type: ignore[dict-item]
        "purchase_cost": Asset.purchase_cost,  # type: ignore[dict-item]
        "created_at": Asset.created_at,  # type: ignore[dict-item]
        "id": Asset.id,  # type: ignore[dict-item]
    },
    default="asset_tag",
    tiebreaker=Asset.id,  # type: ignore[arg-type]
)


async def require_asset(session: AsyncSession, *, asset_id: int) -> Asset:
    """The asset, to read (404 if there is none). Changes go through :func:`lock_asset`."""
    asset = await session.get(Asset, asset_id)
    if asset is None:
        raise NotFound(f"Asset {asset_id} not found")
    return asset


async def lock_asset(uow: UnitOfWork, asset_id: int) -> Asset:
    """The asset, locked for the rest of the unit of work: the one way to load it for a change.

    Two units that both pass a status check on the same asset are thereby serialised: the second
    waits, then reads the row as the first left it (``populate_existing``, even when the unit
    had read the asset before).
    """
    query = (
        select(Asset)
        .where(col(Asset.id) == asset_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    asset = (await uow.session.scalars(query)).one_or_none()
    if asset is None:
        raise NotFound(f"Asset {asset_id} not found")
    return asset


async def holder_problems(
    uow: UnitOfWork, employee_ids: Iterable[int], *, directory: EmployeeDirectory
) -> dict[int, str]:
    """The rule "only current employees hold assets": why each of ``employee_ids`` may not.

    Checked against the employee projection; the employee service is asked only for ids the
    projection does not know (503 when it cannot answer). Call it before locking any asset: the
    current employees' rows stay share-locked until the unit commits, so a termination the
    worker applies meanwhile waits, then takes back what this unit handed out.
    """
    wanted = set(employee_ids)
    found = await current_employees(uow, wanted, directory=directory)
    return {
        employee_id: problem
        for employee_id in sorted(wanted)
        if (problem := employee_problem(employee_id, found.get(employee_id))) is not None
    }


def _check_financials(values: Mapping[str, Any], *, today: dt.date) -> None:
    """The rules between fields that single-field validation cannot see."""
    cost: Decimal = values["purchase_cost"]
    salvage: Decimal = values["salvage_value"]
    currency: str = values["currency"]
    for field in ("purchase_cost", "salvage_value"):
        check_minor_unit(values[field], currency, field)
    if salvage > cost:
        raise InvalidField("salvage_value", "Salvage value cannot exceed the purchase cost")
    purchase_date: dt.date = values["purchase_date"]
    if purchase_date > today:
        raise InvalidField("purchase_date", "Purchase date cannot be in the future")
    if purchase_date < EARLIEST_PURCHASE:
        raise InvalidField(
            "purchase_date", f"Purchase date must be on or after {EARLIEST_PURCHASE}"
        )
    method = values["depreciation_method"]
    rate = values.get("declining_rate")
    if method == DepreciationMethod.DECLINING_BALANCE and rate is None:
        raise InvalidField("declining_rate", "declining_balance needs an annual rate (percent)")
    if method != DepreciationMethod.DECLINING_BALANCE and rate is not None:
        raise InvalidField("declining_rate", f"{method} takes no declining_rate")


async def _free_tags(session: AsyncSession, count: int) -> list[str]:
    """``count`` generated tags (AST-000123) that no asset uses; a tag someone typed by hand
    that looks like a generated one is skipped."""
    tags: list[str] = []
    while len(tags) < count:
        wanted = count - len(tags)
        numbers = (
            await session.scalars(
                select(ASSET_TAG_SEQUENCE.next_value()).select_from(func.generate_series(1, wanted))
            )
        ).all()
        candidates = [f"AST-{number:06d}" for number in numbers]
        taken = set(
            await session.scalars(
                select(col(Asset.asset_tag)).where(any_of(Asset.asset_tag, candidates))
            )
        )
        tags += [tag for tag in candidates if tag not in taken]
    return tags


async def _refuse_taken_tag(
    session: AsyncSession, tag: str, *, exclude_id: int | None = None
) -> None:
    query = select(col(Asset.id)).where(col(Asset.asset_tag) == tag)
    if exclude_id is not None:
        query = query.where(col(Asset.id) != exclude_id)
    if await session.scalar(query) is not None:
        raise Conflict(f"Asset tag {tag} is already in use", code="asset_tag_taken")


async def resolve_new_asset(
    uow: UnitOfWork, *, data: AssetCreate, category: AssetCategory | None = None
) -> dict[str, Any]:
    """The new asset's fields, with the category's defaults filled in and every rule checked."""
    if category is None:
        category = await uow.session.get(AssetCategory, data.category_id)
        if category is None:
            raise InvalidField("category_id", f"Category {data.category_id} does not exist")
    return resolve_values(data, category=category, today=uow.clock.today())


def resolve_values(data: AssetCreate, *, category: AssetCategory, today: dt.date) -> dict[str, Any]:
    """:func:`resolve_new_asset` with its category at hand: no I/O (a CSV import resolves its
    rows in a worker thread)."""
    values = data.model_dump()
    if values["useful_life_months"] is None:
        values["useful_life_months"] = category.default_useful_life_months
    if values["depreciation_method"] is None:
        values["depreciation_method"] = category.default_depreciation_method
    if values["salvage_value"] is None:
        values["salvage_value"] = round_money(
            data.purchase_cost * category.default_salvage_percent / 100, data.currency
        )
    _check_financials(values, today=today)
    return values


async def create_asset(
    uow: UnitOfWork, *, data: AssetCreate, category: AssetCategory | None = None
) -> Asset:
    """Register one asset (in stock); publishes asset.created."""
    values = await resolve_new_asset(uow, data=data, category=category)
    if values["asset_tag"] is not None:
        await _refuse_taken_tag(uow.session, values["asset_tag"])
    [asset_id] = await create_assets(uow, rows=[values])
    return await require_asset(uow.session, asset_id=asset_id)


# Assets created per round of statements (see create_assets).
CREATE_SLICE = 2_000


async def create_assets(
    uow: UnitOfWork,
    *,
    rows: list[dict[str, Any]],
    directory: EmployeeDirectory | None = None,
) -> list[int]:
    """Insert many checked assets (``resolve_new_asset`` values) with their schedules, in bulk.

    Tags given must already be known to be free; the missing ones are generated. A row with an
    ``assigned_employee_id`` is created assigned to that employee (the holder rule applies:
    pass the ``directory``). Publishes one asset.created per asset.

    The rows go in slices of ``CREATE_SLICE``: a few statements per slice (one INSERT for its
    assets, its schedules and its events each), and what is built for one slice is let go
    before the next, so that the memory an import takes does not grow with the file.
    """
    holders = {row["assigned_employee_id"] for row in rows if row.get("assigned_employee_id")}
    if holders:
        if directory is None:
            raise ValueError("assets with a holder need the employee directory")
        problems = await holder_problems(uow, holders, directory=directory)
        if problems:
            raise InvalidField("assigned_employee_id", "; ".join(problems.values()))
    missing = [row for row in rows if row["asset_tag"] is None]
    for row, tag in zip(missing, await _free_tags(uow.session, len(missing)), strict=True):
        row["asset_tag"] = tag
    ids: list[int] = []
    for start in range(0, len(rows), CREATE_SLICE):
        ids += await _create_slice(uow, rows[start : start + CREATE_SLICE])
    return ids


async def _create_slice(uow: UnitOfWork, rows: list[dict[str, Any]]) -> list[int]:
    actor = uow.actor.sub
    records = [
        {
            **row,
            "assigned_employee_id": row.get("assigned_employee_id"),
            "status": AssetStatus.ASSIGNED
            if row.get("assigned_employee_id")
            else AssetStatus.IN_STOCK,
            "created_by": actor,
            "updated_by": actor,
        }
        for row in rows
    ]
    ids = await _insert_assets(uow.session, records)
    await _insert_schedules(uow.session, ids, rows)
    now = uow.clock.now()
    assignments = [
        {
            "asset_id": asset_id,
            "employee_id": record["assigned_employee_id"],
            "assigned_at": now,
            "assigned_by": actor,
        }
        for asset_id, record in zip(ids, records, strict=True)
        if record["assigned_employee_id"]
    ]
    if assignments:
        await uow.session.execute(insert(AssetAssignment), assignments)
    for asset_id, record in zip(ids, records, strict=True):
        record["id"] = asset_id
    await uow.publish_many(await asset_event_data(uow, AssetCreated, records))
    return ids


def _array_param(name: str, values: list[Any], column_type: Any) -> BindParameter[Any]:
    # A string-backed enum column is sent as text: its values are the enum's strings.
    element = String() if isinstance(column_type, Enum) else column_type
    return bindparam(name, values, type_=ARRAY(element))


async def _insert_assets(session: AsyncSession, records: list[dict[str, Any]]) -> list[int]:
    """Insert ``records`` (all with the same keys) in one statement, one array per column,
    rather than one parameter set per row; their ids, in the order of ``records``."""
    table = Asset.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
    names = list(records[0])
    arrays = [
        _array_param(f"asset_{name}", [record[name] for record in records], table.c[name].type)
        for name in names
    ]
    new = (
        func.unnest(*arrays)
        .table_valued(*names, with_ordinality="position")
        .render_derived(name="new_assets")
    )
    statement = (
        insert(table)
        .from_select(names, select(*(new.c[name] for name in names)).order_by(new.c.position))
        .returning(table.c.asset_tag, table.c.id)
    )
    ids: dict[str, int] = dict((await session.execute(statement)).all())
    return [ids[record["asset_tag"]] for record in records]


async def _insert_schedules(
    session: AsyncSession, ids: list[int], rows: list[dict[str, Any]]
) -> None:
    """The schedules of the new assets ``ids`` (``rows``: their values), in one statement.

    Assets with the same schedule inputs (cost, salvage, life, method, rate, purchase date,
    currency: often the whole file) have the same schedule: each distinct one is computed and
    sent once, as a stretch of long month arrays, and each asset's row takes its stretch as
    array slices on the server.
    """
    inputs = sorted(SCHEDULE_INPUTS)
    known: dict[tuple[Any, ...], tuple[int, int] | None] = {}  # inputs -> (first month, months)
    months: dict[str, list[Any]] = {column: [] for column, _ in MONTH_COLUMNS}
    scheduled: list[int] = []
    firsts: list[int] = []
    counts: list[int] = []
    for asset_id, row in zip(ids, rows, strict=True):
        key = tuple(row[name] for name in inputs)
        if key not in known:
            schedule = schedule_row(0, row)
            known[key] = None
            if schedule is not None:
                known[key] = (len(months["period_ends"]) + 1, len(schedule["period_ends"]))
                for column, values in months.items():
                    values.extend(schedule[column])
        slot = known[key]
        if slot is not None:
            scheduled.append(asset_id)
            firsts.append(slot[0])
            counts.append(slot[1])
    if scheduled:
        await session.execute(_schedule_insert(scheduled, firsts, counts, months))


_MONTH_KINDS = {"period_starts": Date, "period_ends": Date}


def _schedule_insert(
    asset_ids: list[int], firsts: list[int], counts: list[int], months: dict[str, list[Any]]
) -> Insert:
    """INSERT … SELECT: for each asset, the slice ``firsts .. firsts + counts - 1`` (1-based, as
    PostgreSQL counts) of every month array."""
    assets = (
        func.unnest(
            bindparam("schedule_asset_ids", asset_ids, type_=ARRAY(Integer)),
            bindparam("schedule_firsts", firsts, type_=ARRAY(Integer)),
            bindparam("schedule_counts", counts, type_=ARRAY(Integer)),
        )
        .table_valued("asset_id", "first", "count")
        .render_derived(name="new_assets")
    )
    arrays = select(
        *(
            bindparam(
                f"schedule_{column}", values, type_=ARRAY(_MONTH_KINDS.get(column, MONEY))
            ).label(column)
            for column, values in months.items()
        )
    ).subquery("schedules")
    last = assets.c.first + assets.c.count - 1
    return insert(
        DepreciationSchedule.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
    ).from_select(
        ["asset_id", *months],
        select(assets.c.asset_id, *(arrays.c[column][assets.c.first : last] for column in months))
        .select_from(arrays)
        .join(assets, true()),
    )


async def update_asset(uow: UnitOfWork, *, asset_id: int, changes: AssetUpdate) -> Asset:
    """Change fields (and in_stock ↔ retired); publishes asset.updated."""
    asset = await lock_asset(uow, asset_id)
    values = changes.changes()
    if asset.status == AssetStatus.DISPOSED:
        raise Conflict("A disposed asset can no longer be changed", code="asset_disposed")
    if "status" in values:
        new = values.pop("status")
        allowed = {AssetStatus.IN_STOCK, AssetStatus.RETIRED}
        if new != asset.status and (new not in allowed or asset.status not in allowed):
            raise Conflict(
                f"Status {asset.status} cannot be set to {new} here; use assign, return, "
                "maintenance or dispose",
                code="invalid_status_change",
            )
        asset.status = new
    session = uow.session
    if "category_id" in values and await session.get(AssetCategory, values["category_id"]) is None:
        raise InvalidField("category_id", f"Category {values['category_id']} does not exist")
    if "asset_tag" in values:
        await _refuse_taken_tag(session, values["asset_tag"], exclude_id=asset.id)
    if values.get("depreciation_method") not in (None, DepreciationMethod.DECLINING_BALANCE):
        values.setdefault("declining_rate", None)  # leaving declining balance drops its rate
    merged = {field: values.get(field, getattr(asset, field)) for field in SCHEDULE_INPUTS}
    _check_financials(merged, today=uow.clock.today())
    for field, value in values.items():
        setattr(asset, field, value)
    asset.updated_by = uow.actor.sub
    await session.flush()
    if SCHEDULE_INPUTS & values.keys():
        await regenerate_schedule(session, asset=asset)
    await session.refresh(asset)
    await publish_asset(uow, AssetUpdated, asset)
    return asset


async def delete_asset(uow: UnitOfWork, *, asset_id: int) -> None:
    """Only an asset entered by mistake: in stock, never assigned, never maintained."""
    asset = await lock_asset(uow, asset_id)
    used = await uow.session.scalar(
        select(
            exists().where(col(AssetAssignment.asset_id) == asset.id)
            | exists().where(col(MaintenanceLog.asset_id) == asset.id)
        )
    )
    if asset.status != AssetStatus.IN_STOCK or used:
        raise Conflict(
            "Only an in-stock asset without assignment or maintenance history can be deleted; "
            "retire or dispose of it instead",
            code="asset_has_history",
        )
    await uow.session.delete(asset)
    await uow.session.flush()


@dataclass(frozen=True)
class AssetFilters:
    """What a list or an export of assets is narrowed to (every filter optional, all combined).

    Text filters are case-insensitive "contains"; date and cost ranges include their bounds;
    ``ids`` is a selection (export what was ticked); ``only_employee_id`` is an OWN grant's reach.
    """

    q: str | None = None
    status: AssetStatus | None = None
    category_id: int | None = None
    assigned_employee_id: int | None = None
    location: str | None = None
    serial_number: str | None = None
    currency: str | None = None
    purchased_from: dt.date | None = None
    purchased_to: dt.date | None = None
    cost_min: Decimal | None = None
    cost_max: Decimal | None = None
    ids: list[int] | None = None
    only_employee_id: int | None = None


@functools.lru_cache(maxsize=8)  # one statement per business date, built once (it is immutable)
def valued_assets(at: dt.date) -> Select[*tuple[Any, ...]]:
    """The assets as plain rows (attribute access as on an :class:`Asset`) with their
    ``accumulated_depreciation`` on ``at``: what a response shows (a list reads rows, a tenth of
    the cost of ORM objects it would only copy out again)."""
    # SQLModel declares no __table__, and types Asset.id as the int it holds, not as a column.
    return select(
        Asset.__table__,  # type: ignore[attr-defined]
        accumulated_on(Asset.id, at).label("accumulated_depreciation"),  # type: ignore[arg-type]
    )


async def valued_rows(
    session: AsyncSession, *, ids: Sequence[int], at: dt.date
) -> list[dict[str, Any]]:
    """:func:`valued_assets` of these ids, in their order (what the unit has pending is flushed
    first, so an asset just created or changed is read as it now is)."""
    query = valued_assets(at).where(any_of(Asset.id, ids))
    found = {row["id"]: row for row in await fetch_rows(await core_connection(session), query)}
    return [found[asset_id] for asset_id in ids]


def filtered_assets(
    filters: AssetFilters, *, valued_at: dt.date | None = None
) -> Select[*tuple[Any, ...]]:
    """The assets ``filters`` select: entities, or with ``valued_at`` :func:`valued_assets` rows."""
    # Every list request runs this: the fields are used as they are, not through sqlmodel.col()
    # (a call per filter). SQLModel types them as their Python values, so mypy sees each
    # comparison as a bool and contains_text's columns as str: hence the ignores.
    query = select(Asset) if valued_at is None else valued_assets(valued_at)
    f = filters
    if f.status is not None:
        query = query.where(Asset.status == f.status)  # type: ignore[arg-type]
    if f.category_id is not None:
        query = query.where(Asset.category_id == f.category_id)  # type: ignore[arg-type]
    if f.assigned_employee_id is not None:
        query = query.where(Asset.assigned_employee_id == f.assigned_employee_id)  # type: ignore[arg-type]
    if f.only_employee_id is not None:
        query = query.where(Asset.assigned_employee_id == f.only_employee_id)  # type: ignore[arg-type]
    if f.q and f.q.strip():
        query = query.where(contains_text([Asset.asset_tag, Asset.name, Asset.serial_number], f.q))  # type: ignore[list-item]
    if f.location and f.location.strip():
        query = query.where(contains_text([Asset.location], f.location))  # type: ignore[list-item]
    if f.serial_number and f.serial_number.strip():
        query = query.where(contains_text([Asset.serial_number], f.serial_number))  # type: ignore[list-item]
    if f.currency is not None:
        query = query.where(Asset.currency == f.currency)  # type: ignore[arg-type]
    if f.purchased_from is not None:
        query = query.where(Asset.purchase_date >= f.purchased_from)  # type: ignore[arg-type]
    if f.purchased_to is not None:
        query = query.where(Asset.purchase_date <= f.purchased_to)  # type: ignore[arg-type]
    if f.cost_min is not None:
        query = query.where(Asset.purchase_cost >= f.cost_min)  # type: ignore[arg-type]
    if f.cost_max is not None:
        query = query.where(Asset.purchase_cost <= f.cost_max)  # type: ignore[arg-type]
    if f.ids is not None:
        query = query.where(Asset.id.in_(f.ids))  # type: ignore[union-attr]
    return query


async def list_assets(
    session: AsyncSession, *, params: ListParams, filters: AssetFilters, at: dt.date
) -> PageResult[dict[str, Any]]:
    """A page of the register: :func:`valued_assets` rows valued on ``at``. (The count leaves
    the valuation out: PostgreSQL drops a subquery's unused columns.)"""
    return await paginate(
        session,
        filtered_assets(filters, valued_at=at),
        params=params,
        sorting=SORTING,
        as_rows=True,
    )


def visible_to(grant: Grant, asset: Asset) -> bool:
    """An OWN grant sees only the assets assigned to the caller."""
    return grant.covers(asset.assigned_employee_id)


def check_assignable(asset: Asset) -> None:
    if asset.status != AssetStatus.IN_STOCK:
        raise Conflict(
            f"Asset {asset.asset_tag} is {asset.status}; only an in-stock asset can be assigned",
            code="asset_not_available",
        )


async def assign_asset(
    uow: UnitOfWork,
    *,
    asset_id: int,
    employee_id: int,
    notes: str | None,
    directory: EmployeeDirectory,
) -> Asset:
    """Hand the asset to a current employee; publishes asset.assigned.

    In this order: refuse early what is plainly refused (no asset, not in stock), check the
    employee (which may ask the employee service: no asset row is locked yet), then lock the
    asset and check it again.
    """
    check_assignable(await require_asset(uow.session, asset_id=asset_id))
    problems = await holder_problems(uow, [employee_id], directory=directory)
    if problems:
        raise InvalidField("employee_id", problems[employee_id])
    asset = await lock_asset(uow, asset_id)
    check_assignable(asset)
    actor = uow.actor.sub
    uow.session.add(
        AssetAssignment(
            asset_id=asset_id,
            employee_id=employee_id,
            assigned_at=uow.clock.now(),
            assigned_by=actor,
            notes=notes,
        )
    )
    asset.status = AssetStatus.ASSIGNED
    asset.assigned_employee_id = employee_id
    asset.updated_by = actor
    await uow.session.flush()
    await uow.session.refresh(asset)
    await publish_asset(uow, AssetAssigned, asset)
    return asset


async def _close_assignment(
    uow: UnitOfWork, asset: Asset, *, reason: str | None, notes: str | None
) -> None:
    """End the asset's open assignment in its history (returned now, by whom, why)."""
    open_assignment = (
        await uow.session.scalars(
            select(AssetAssignment).where(
                col(AssetAssignment.asset_id) == asset.id,
                col(AssetAssignment.returned_at).is_(None),
            )
        )
    ).one_or_none()
    if open_assignment is None:
        return
    open_assignment.returned_at = uow.clock.now()
    open_assignment.returned_by = uow.actor.sub
    open_assignment.return_reason = reason
    if notes:
        open_assignment.notes = (
            f"{open_assignment.notes}\n{notes}" if open_assignment.notes else notes
        )


async def return_asset(
    uow: UnitOfWork, *, asset_id: int, notes: str | None, reason: str | None = None
) -> Asset:
    """Take the asset back into stock; publishes asset.returned (with ``reason``)."""
    asset = await lock_asset(uow, asset_id)
    if asset.status != AssetStatus.ASSIGNED:
        raise Conflict(f"Asset {asset.asset_tag} is not assigned", code="asset_not_assigned")
    await _close_assignment(uow, asset, reason=reason, notes=notes)
    asset.status = AssetStatus.IN_STOCK
    asset.assigned_employee_id = None
    asset.updated_by = uow.actor.sub
    await uow.session.flush()
    await uow.session.refresh(asset)
    await publish_asset(uow, AssetReturned, asset, reason=reason)
    return asset


async def release_assets_of(uow: UnitOfWork, *, employee_id: int, reason: str) -> list[Asset]:
    """Take back every asset ``employee_id`` holds (they left); publishes asset.returned each.

    An assigned asset goes back to stock. An asset in maintenance stays in maintenance but loses
    its holder, and goes to stock when the work is completed. The history records why.
    """
    # A stored asset's id is never NULL; SQLModel types it Optional for unsaved objects.
    held = cast(
        Sequence[int],
        (
            await uow.session.scalars(
                select(col(Asset.id))
                .where(col(Asset.assigned_employee_id) == employee_id)
                .order_by(col(Asset.id))
            )
        ).all(),
    )
    released: list[Asset] = []
    for asset_id in held:  # in id order, so two units never lock the same assets crosswise
        asset = await lock_asset(uow, asset_id)
        if asset.assigned_employee_id != employee_id:
            continue  # returned or reassigned meanwhile
        await _close_assignment(uow, asset, reason=reason, notes=None)
        if asset.status == AssetStatus.IN_MAINTENANCE:
            asset.status_before_maintenance = AssetStatus.IN_STOCK
        else:
            asset.status = AssetStatus.IN_STOCK
        asset.assigned_employee_id = None
        asset.updated_by = uow.actor.sub
        await uow.session.flush()
        await uow.session.refresh(asset)
        await publish_asset(uow, AssetReturned, asset, reason=reason)
        released.append(asset)
    return released


async def bulk_step(
    uow: UnitOfWork, *, body: AssetBulk, directory: EmployeeDirectory
) -> tuple[Callable[[int], Awaitable[Asset]], str]:
    """The single-row change a bulk action applies to each asset, and how its message says it.

    What concerns the request as a whole is checked once, before any asset is locked: the
    fields of the action, the category of set_category, and the employee of assign (which may
    ask the employee service; no asset row is held meanwhile). Each row then goes through the
    very function of its single-row endpoint, which checks again and publishes the same event.
    """
    body.check_action_fields()
    if body.action == "assign":
        employee_id = body.employee_id
        assert employee_id is not None  # check_action_fields
        problems = await holder_problems(uow, [employee_id], directory=directory)
        if problems:
            raise InvalidField("employee_id", problems[employee_id])

        async def assign(asset_id: int) -> Asset:
            return await assign_asset(
                uow,
                asset_id=asset_id,
                employee_id=employee_id,
                notes=body.note,
                directory=directory,
            )

        return assign, f"assigned to employee {employee_id}"
    if body.action == "return":

        async def return_(asset_id: int) -> Asset:
            return await return_asset(uow, asset_id=asset_id, notes=body.note, reason=body.reason)

        return return_, "returned"
    if body.action == "set_category":
        category_id = body.category_id
        if await uow.session.get(AssetCategory, category_id) is None:
            raise InvalidField("category_id", f"Category {category_id} does not exist")
        changes = AssetUpdate(category_id=category_id)
        done = f"moved to category {category_id}"
    else:
        changes = AssetUpdate(status=body.status)
        done = f"set to {body.status}"

    async def update(asset_id: int) -> Asset:
        return await update_asset(uow, asset_id=asset_id, changes=changes)

    return update, done


async def assignment_history(
    session: AsyncSession, *, asset_id: int, params: ListParams
) -> PageResult[AssetAssignment]:
    # Sorting takes InstrumentedAttribute columns; SQLModel types the fields as Python values.
    sorting = Sorting(
        fields={
            "assigned_at": AssetAssignment.assigned_at,  # type: ignore[dict-item]
            "id": AssetAssignment.id,  # type: ignore[dict-item]
        },
        default="-assigned_at",
        tiebreaker=AssetAssignment.id,  # type: ignore[arg-type]
    )
    query = select(AssetAssignment).where(col(AssetAssignment.asset_id) == asset_id)
    return await paginate(session, query, params=params, sorting=sorting)


async def dispose_asset(
    uow: UnitOfWork,
    *,
    asset_id: int,
    date: dt.date,
    proceeds: Decimal,
    reason: str,
) -> Asset:
    """Sell, scrap or write off; publishes asset.disposed."""
    asset = await lock_asset(uow, asset_id)
    if asset.status == AssetStatus.DISPOSED:
        raise Conflict(f"Asset {asset.asset_tag} is already disposed of", code="asset_disposed")
    if asset.status in (AssetStatus.ASSIGNED, AssetStatus.IN_MAINTENANCE):
        raise Conflict(
            f"Asset {asset.asset_tag} is {asset.status}: return it or complete its maintenance "
            "before disposing of it",
            code="asset_in_use",
        )
    if date < asset.purchase_date:
        raise InvalidField("date", "Disposal date cannot be before the purchase date")
    if date > uow.clock.today():
        raise InvalidField("date", "Disposal date cannot be in the future")
    check_minor_unit(proceeds, asset.currency, "proceeds")
    session = uow.session
    asset.status = AssetStatus.DISPOSED
    asset.disposal_date = date
    asset.disposal_proceeds = proceeds
    asset.disposal_reason = reason
    asset.updated_by = uow.actor.sub
    await session.flush()
    await regenerate_schedule(session, asset=asset)  # now stops at the disposal month
    accumulated = await depreciated_in_total(session, asset_id=asset_id)
    asset.book_value_at_disposal = asset.purchase_cost - accumulated
    await session.flush()
    await session.refresh(asset)
    await publish_asset(uow, AssetDisposed, asset)
    return asset


async def summary(session: AsyncSession, *, at: dt.date) -> dict[str, Any]:
    """Counts by status and category; purchase cost and book value per currency (not disposed)."""
    by_status = {status: 0 for status in AssetStatus}
    for status, count in await session.execute(
        select(col(Asset.status), func.count()).group_by(col(Asset.status))
    ):
        by_status[AssetStatus(status)] = count
    by_category = [
        {"category_id": row.id, "name": row.name, "count": row.count}
        for row in await session.execute(
            select(
                col(AssetCategory.id),
                col(AssetCategory.name),
                func.count(col(Asset.id)).label("count"),
            )
            .join(Asset, col(Asset.category_id) == AssetCategory.id)
            .group_by(col(AssetCategory.id), col(AssetCategory.name))
            .order_by(col(AssetCategory.name))
        )
    ]
    latest = latest_accumulated(at).subquery()
    totals = await session.execute(
        select(
            col(Asset.currency),
            func.sum(col(Asset.purchase_cost)),
            func.sum(
                col(Asset.purchase_cost) - func.coalesce(latest.c.accumulated_depreciation, 0)
            ),
        )
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .where(col(Asset.status) != AssetStatus.DISPOSED)
        .group_by(col(Asset.currency))
        .order_by(col(Asset.currency))
    )
    purchase_cost: dict[str, Decimal] = {}
    book: dict[str, Decimal] = {}
    for currency, cost, value in totals:
        purchase_cost[currency] = cost
        book[currency] = value
    return {
        "total_assets": sum(by_status.values()),
        "by_status": by_status,
        "by_category": by_category,
        "total_purchase_cost": purchase_cost,
        "total_book_value": book,
    }
