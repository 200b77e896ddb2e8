"""The dashboard summary: aggregates of the read model's rows (GROUP BY), cached in Redis.

Because the figures are always summed from one row per aggregate, they are exactly what the
latest known state of each employee, asset, invoice and payment adds up to.

The cached entry carries the read model's version it was computed at, and is served only while
that is the current one. Deleting the key when a handler commits is not enough on its own: a
request that read the rows just before the commit may store its summary just after the
deletion, and it would be served until the TTL ran out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, cast, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.cache import Cache
from tb_platform.columns import MONEY
from tb_platform.money import CENT, minor_unit

from ..core.cache import summary_key
from ..models import Asset, AssetCategory, Department, Employee, Invoice, Payment
from ..schemas.summary import (
    AssetFigures,
    AssetTotals,
    CategoryCount,
    DashboardSummary,
    DepartmentCount,
    Headcount,
    InvoiceFigures,
    MonthFigures,
)
from .read_model import VOID, current_state, table_of

# Who counts in the headcount; a terminated employee does not.
COUNTED_STATUSES = ("active", "on_leave")
DISPOSED = "disposed"
ASSET_STATUSES = ("in_stock", "assigned", "in_maintenance", "retired", DISPOSED)
ZERO = Decimal("0.00")


async def cached_summary(session: AsyncSession, *, cache: Cache) -> DashboardSummary:
    """The summary from the cache if it is of the current version, else computed and cached
    (with Redis down: computed every time)."""
    # Read first: the rows read next are at least as new as this version says.
    version, updated_at = await current_state(session)
    key = summary_key(cache)
    cached = await cache.get(key)
    if isinstance(cached, dict) and cached.get("version") == version:
        return DashboardSummary.model_validate(cached["summary"])
    summary = await compute_summary(session, updated_at=updated_at)
    await cache.set(key, {"version": version, "summary": summary.model_dump(mode="json")})
    return summary


async def compute_summary(
    session: AsyncSession, *, updated_at: dt.datetime | None
) -> DashboardSummary:
    """Headcount, asset figures and invoicing per month, from the read model's rows."""
    return DashboardSummary(
        assets=await _assets(session),
        headcount=await _headcount(session),
        invoices=await _invoices(session),
        updated_at=updated_at,
    )


async def _headcount(session: AsyncSession) -> Headcount:
    employees, departments = table_of(Employee), table_of(Department)
    counted = func.count().filter(employees.c.status.in_(COUNTED_STATUSES))
    rows = (
        await session.execute(
            select(
                employees.c.department_id,
                departments.c.name,
                counted.label("headcount"),
            )
            .select_from(employees)
            .outerjoin(departments, departments.c.id == employees.c.department_id)
            .group_by(employees.c.department_id, departments.c.name)
        )
    ).all()
    by_department = sorted(
        (
            DepartmentCount(department_id=row.department_id, name=row.name, count=row.headcount)
            for row in rows
            if row.headcount
        ),
        key=lambda d: (d.department_id is None, (d.name or "").casefold(), d.department_id or 0),
    )
    return Headcount(total=sum(d.count for d in by_department), by_department=by_department)


async def _assets(session: AsyncSession) -> AssetFigures:
    assets, categories = table_of(Asset), table_of(AssetCategory)
    kept = assets.c.status != DISPOSED
    rows = (
        await session.execute(
            select(
                assets.c.status,
                assets.c.category_id,
                categories.c.name,
                assets.c.currency,
                func.count().label("assets"),
                func.sum(assets.c.purchase_cost).filter(kept).label("cost"),
                func.sum(assets.c.book_value).filter(kept).label("book_value"),
            )
            .select_from(assets)
            .outerjoin(categories, categories.c.id == assets.c.category_id)
            .group_by(assets.c.status, assets.c.category_id, categories.c.name, assets.c.currency)
        )
    ).all()
    by_status: Counter[str] = Counter(dict.fromkeys(ASSET_STATUSES, 0))
    by_category: Counter[tuple[int | None, str | None]] = Counter()
    cost: dict[str, Decimal] = defaultdict(lambda: ZERO)
    book: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        by_status[row.status] += row.assets
        by_category[(row.category_id, row.name)] += row.assets
        if row.cost is not None:
            cost[row.currency] += row.cost
            book[row.currency] += row.book_value
    return AssetFigures(
        count=sum(by_status.values()),
        by_status=dict(by_status),
        by_category=[
            CategoryCount(category_id=category_id, name=name, count=count)
            for (category_id, name), count in sorted(
                by_category.items(),
                key=lambda item: (
                    item[0][0] is None,
                    (item[0][1] or "").casefold(),
                    item[0][0] or 0,
                ),
            )
        ],
        totals=[
            AssetTotals(
                currency=currency,
                cost=in_currency(cost[currency], currency),
                book_value=in_currency(book[currency], currency),
            )
            for currency in sorted(cost)
        ],
    )


async def _invoices(session: AsyncSession) -> InvoiceFigures:
    invoices, payments = table_of(Invoice), table_of(Payment)
    issued_month = func.to_char(invoices.c.issue_date, "YYYY-MM")
    # paid_at is an instant; its month is the UTC one.
    paid_month = func.to_char(cast(func.timezone("UTC", payments.c.paid_at), Date), "YYYY-MM")
    invoiced = select(
        issued_month.label("month"),
        invoices.c.currency.label("currency"),
        (invoices.c.total - invoices.c.credited_total).label("invoiced"),
        _zero().label("collected"),
        invoices.c.balance_due.label("outstanding"),
    ).where(invoices.c.status != VOID)
    collected = select(
        paid_month.label("month"),
        payments.c.currency.label("currency"),
        _zero().label("invoiced"),
        payments.c.amount.label("collected"),
        _zero().label("outstanding"),
    )
    both = union_all(invoiced, collected).subquery()
    rows = (
        await session.execute(
            select(
                both.c.month,
                both.c.currency,
                func.sum(both.c.invoiced).label("invoiced"),
                func.sum(both.c.collected).label("collected"),
                func.sum(both.c.outstanding).label("outstanding"),
            )
            .group_by(both.c.month, both.c.currency)
            .order_by(both.c.month, both.c.currency)
        )
    ).all()
    by_month = [
        MonthFigures(
            month=row.month,
            currency=row.currency,
            invoiced=in_currency(row.invoiced, row.currency),
            collected=in_currency(row.collected, row.currency),
            outstanding=in_currency(row.outstanding, row.currency),
        )
        for row in rows
    ]
    return InvoiceFigures(by_month=by_month)


def _zero() -> Any:
    return cast(0, MONEY)


def in_currency(amount: Decimal, currency: str) -> Decimal:
    """``amount`` with the decimals of ``currency`` (two, none for JPY); cents it has are kept."""
    unit = minor_unit(currency)
    shown = amount.quantize(unit) if amount % unit == 0 else amount.quantize(CENT)
    return shown if shown else abs(shown)  # no "-0.00"
