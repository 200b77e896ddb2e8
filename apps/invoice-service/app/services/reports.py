"""Reports computed by the database (GROUP BY), never by loading every row."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, String, case, cast, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import OPEN_STATUSES, POSTED_STATUSES, CreditNote, Invoice, Payment, TaxRecord
from ..schemas.report import (
    Aging,
    AgingRow,
    CurrencyTotals,
    MonthTotals,
    Summary,
    TaxRecordSum,
    TaxRecordSums,
)
from .amounts import ZERO


def _in_range(column: Any, date_from: dt.date | None, date_to: dt.date | None) -> list[Any]:
    conditions = []
    if date_from is not None:
        conditions.append(column >= date_from)
    if date_to is not None:
        conditions.append(column <= date_to)
    return conditions


async def tax_record_sums(
    session: AsyncSession, *, date_from: dt.date | None, date_to: dt.date | None
) -> TaxRecordSums:
    """Taxable amounts and tax per currency and rate, over records dated within the range."""
    statement = (
        select(
            TaxRecord.currency,
            TaxRecord.tax_rate,
            func.coalesce(func.sum(TaxRecord.taxable_amount), 0),
            func.coalesce(func.sum(TaxRecord.tax_amount), 0),
            func.count(),
        )
        .where(*_in_range(TaxRecord.record_date, date_from, date_to))
        .group_by(TaxRecord.currency, TaxRecord.tax_rate)
        .order_by(TaxRecord.currency, TaxRecord.tax_rate)
    )
    rows = (await session.execute(statement)).all()
    items = [
        TaxRecordSum(
            currency=currency,
            tax_rate=rate,
            taxable_amount=_money(taxable),
            tax_amount=_money(tax),
            records=count,
        )
        for currency, rate, taxable, tax, count in rows
    ]
    return TaxRecordSums(items=items, total=len(items))


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _month(column: Any) -> Any:
    """``YYYY-MM`` of a date or timestamp.

    asyncpg stores date.max/date.min (9999-12-31, 0001-01-01) as PostgreSQL's +/-infinity, for
    which to_char() answers NULL: those become 9999-12 and 0001-01. Every part is inlined (no
    bound parameters), so that PostgreSQL sees the selected and the grouped expression as one.
    """
    return func.coalesce(
        func.to_char(column, literal_column("'YYYY-MM'")),
        case(
            (column > literal_column("DATE '2000-01-01'"), literal_column("'9999-12'")),
            else_=literal_column("'0001-01'"),
        ),
    )


async def summary(
    session: AsyncSession, *, date_from: dt.date | None, date_to: dt.date | None
) -> Summary:
    """Per month and currency: invoiced (less credit notes), collected (less refunds), and what
    is still outstanding today on the invoices issued that month. No currency conversion."""
    totals: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: {"invoiced": ZERO, "collected": ZERO, "outstanding": ZERO}
    )

    invoice_month = _month(Invoice.issue_date).label("month")
    invoiced = (
        select(
            invoice_month,
            Invoice.currency,
            func.sum(Invoice.total),
            func.sum(Invoice.balance_due).filter(Invoice.status.in_(OPEN_STATUSES)),  # type: ignore[attr-defined]
        )
        .where(
            Invoice.status.in_(POSTED_STATUSES),  # type: ignore[attr-defined]
            *_in_range(Invoice.issue_date, date_from, date_to),
        )
        .group_by(invoice_month, Invoice.currency)
    )
    for month, currency, total, outstanding in (await session.execute(invoiced)).all():
        entry = totals[(month, currency)]
        entry["invoiced"] += _money(total)
        entry["outstanding"] += _money(outstanding)

    note_month = _month(CreditNote.issue_date).label("month")
    credited = (
        select(note_month, Invoice.currency, func.sum(CreditNote.total))
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(*_in_range(CreditNote.issue_date, date_from, date_to))
        .group_by(note_month, Invoice.currency)
    )
    for month, currency, total in (await session.execute(credited)).all():
        totals[(month, currency)]["invoiced"] -= _money(total)

    # paid_at is a timestamptz; the session's time zone is UTC, so months are UTC months.
    paid_day = cast(Payment.paid_at, Date)
    payment_month = _month(Payment.paid_at).label("month")
    collected = (
        select(payment_month, Invoice.currency, func.sum(Payment.amount))
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(*_in_range(paid_day, date_from, date_to))
        .group_by(payment_month, Invoice.currency)
    )
    for month, currency, total in (await session.execute(collected)).all():
        totals[(month, currency)]["collected"] += _money(total)

    items = [
        MonthTotals(month=month, currency=currency, **values)
        for (month, currency), values in sorted(totals.items())
    ]
    by_currency: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"invoiced": ZERO, "collected": ZERO, "outstanding": ZERO}
    )
    for item in items:
        entry = by_currency[item.currency]
        entry["invoiced"] += item.invoiced
        entry["collected"] += item.collected
        entry["outstanding"] += item.outstanding
    return Summary(
        items=items,
        totals=[
            CurrencyTotals(currency=currency, **values)
            for currency, values in sorted(by_currency.items())
        ],
    )


def _days_before(day: dt.date, days: int) -> dt.date:
    try:
        return day - dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min


BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_90_plus")


async def aging(session: AsyncSession, *, as_of: dt.date) -> Aging:
    """Outstanding balances of open invoices by days past due on ``as_of``, per currency."""
    # Compared as dates rather than subtracted: asyncpg sends 9999-12-31 as 'infinity', which
    # PostgreSQL cannot subtract from.
    bucket = case(
        (Invoice.due_date >= as_of, literal("current", String)),
        (Invoice.due_date >= _days_before(as_of, 30), literal("days_1_30", String)),
        (Invoice.due_date >= _days_before(as_of, 60), literal("days_31_60", String)),
        (Invoice.due_date >= _days_before(as_of, 90), literal("days_61_90", String)),
        else_=literal("days_90_plus", String),
    ).label("bucket")
    open_invoices = (
        select(Invoice.currency, bucket, Invoice.balance_due)
        .where(
            Invoice.status.in_(OPEN_STATUSES),  # type: ignore[attr-defined]
            Invoice.issue_date <= as_of,
            Invoice.balance_due > 0,
        )
        .subquery()
    )
    statement = select(
        open_invoices.c.currency, open_invoices.c.bucket, func.sum(open_invoices.c.balance_due)
    ).group_by(open_invoices.c.currency, open_invoices.c.bucket)
    rows: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(BUCKETS, ZERO))
    for currency, name, amount in (await session.execute(statement)).all():
        rows[currency][name] += _money(amount)
    return Aging(
        as_of=as_of,
        items=[
            AgingRow(currency=currency, total=sum(values.values(), ZERO), **values)
            for currency, values in sorted(rows.items())
        ],
    )


__all__ = ["aging", "summary", "tax_record_sums"]
