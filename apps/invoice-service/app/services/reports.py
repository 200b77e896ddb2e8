"""Reports computed by the database (GROUP BY), never by loading every row.

A report up to a date is what was true on that date: it counts the invoices issued and the
payments, refunds, credit notes and voids recorded on or before it, whatever happened since.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Numeric,
    String,
    Subquery,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from ..models import POSTED_STATUSES, CreditNote, Invoice, InvoiceStatus, Payment, TaxRecord
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
            col(TaxRecord.currency),
            col(TaxRecord.tax_rate),
            func.coalesce(func.sum(TaxRecord.taxable_amount), 0),
            func.coalesce(func.sum(TaxRecord.tax_amount), 0),
            func.count(),
        )
        .where(*_in_range(TaxRecord.record_date, date_from, date_to))
        .group_by(col(TaxRecord.currency), col(TaxRecord.tax_rate))
        .order_by(col(TaxRecord.currency), col(TaxRecord.tax_rate))
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


def _end_of(day: dt.date) -> dt.datetime | None:
    """The first instant (UTC) after ``day``; None after 9999-12-31."""
    try:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    except OverflowError:
        return None


def _on_days(column: Any, date_from: dt.date | None, date_to: dt.date | None) -> list[Any]:
    """A timestamp within the UTC days ``date_from`` … ``date_to`` (inclusive), as a range the
    column's index can serve."""
    conditions = []
    if date_from is not None:
        conditions.append(column >= dt.datetime.combine(date_from, dt.time.min, tzinfo=dt.UTC))
    end = _end_of(date_to) if date_to is not None else None
    if end is not None:
        conditions.append(column < end)
    return conditions


# An issued invoice that was voided later (a voided draft never had a number).
_VOIDED_AFTER_ISSUE = and_(
    col(Invoice.status) == InvoiceStatus.VOID, col(Invoice.number).is_not(None)
)


def _invoices_at(as_of: dt.date | None) -> Subquery:
    """Every invoice issued by the end of ``as_of`` (``None``: now), voided since or not, with
    its ``total`` and its ``balance`` then: what was still due on it, 0 once voided.

    What was due then is what is due now (``balance_due`` = total - credit notes - payments,
    refunds included) plus the payments made and the credit notes dated after ``as_of``: only
    those are summed (GROUP BY, through their date indexes), not every payment ever made.
    """
    issued = or_(col(Invoice.status).in_(POSTED_STATUSES), _VOIDED_AFTER_ISSUE)
    columns = (
        col(Invoice.id),
        col(Invoice.currency),
        col(Invoice.issue_date),
        col(Invoice.due_date),
        col(Invoice.total),
    )
    if as_of is None:
        balance = case((col(Invoice.status) == InvoiceStatus.VOID, 0), else_=Invoice.balance_due)
        return select(*columns, balance.label("balance")).where(issued).subquery("invoices_at")
    end = _end_of(as_of)
    paid_since = (
        select(col(Payment.invoice_id), func.sum(Payment.amount).label("amount"))
        .where(col(Payment.paid_at) >= end if end is not None else literal(False))
        .group_by(col(Payment.invoice_id))
        .subquery("paid_since")
    )
    credited_since = (
        select(col(CreditNote.invoice_id), func.sum(CreditNote.total).label("amount"))
        .where(col(CreditNote.issue_date) > as_of)
        .group_by(col(CreditNote.invoice_id))
        .subquery("credited_since")
    )
    voided_by_then = and_(
        col(Invoice.status) == InvoiceStatus.VOID,
        col(Invoice.voided_at) < end if end is not None else literal(True),
    )
    balance = case(
        (voided_by_then, 0),
        else_=Invoice.balance_due
        + func.coalesce(paid_since.c.amount, 0)
        + func.coalesce(credited_since.c.amount, 0),
    )
    return (
        select(*columns, balance.label("balance"))
        .outerjoin(paid_since, paid_since.c.invoice_id == Invoice.id)
        .outerjoin(credited_since, credited_since.c.invoice_id == Invoice.id)
        .where(issued, col(Invoice.issue_date) <= as_of)
        .subquery("invoices_at")
    )


async def summary(
    session: AsyncSession, *, date_from: dt.date | None, date_to: dt.date | None
) -> Summary:
    """Per month and currency: invoiced (less credit notes and voids), collected (less refunds),
    and what was still outstanding at the end of the range (``date_to``; now when absent) on the
    invoices issued that month. No currency conversion. One query."""
    zero = literal(0, Numeric(14, 2))

    def per_month(
        month: Any, currency: Any, invoiced: Any, collected: Any, outstanding: Any
    ) -> Any:
        month = _month(month)
        return select(
            month.label("month"),
            currency.label("currency"),
            func.sum(invoiced).label("invoiced"),
            func.sum(collected).label("collected"),
            func.sum(outstanding).label("outstanding"),
        ).group_by(month, currency)

    invoices = _invoices_at(date_to)
    parts = union_all(
        per_month(
            invoices.c.issue_date, invoices.c.currency, invoices.c.total, zero, invoices.c.balance
        ).where(*_in_range(invoices.c.issue_date, date_from, None)),
        per_month(Invoice.voided_at, Invoice.currency, -Invoice.total, zero, zero).where(
            _VOIDED_AFTER_ISSUE, *_on_days(Invoice.voided_at, date_from, date_to)
        ),
        per_month(CreditNote.issue_date, Invoice.currency, -CreditNote.total, zero, zero)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(*_in_range(CreditNote.issue_date, date_from, date_to)),
        # paid_at is a timestamptz; the session's time zone is UTC, so months are UTC months.
        per_month(Payment.paid_at, Invoice.currency, zero, Payment.amount, zero)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(*_on_days(Payment.paid_at, date_from, date_to)),
    ).subquery("parts")
    statement = (
        select(
            parts.c.month,
            parts.c.currency,
            func.sum(parts.c.invoiced),
            func.sum(parts.c.collected),
            func.sum(parts.c.outstanding),
        )
        .group_by(parts.c.month, parts.c.currency)
        .order_by(parts.c.month, parts.c.currency)
    )
    items = [
        MonthTotals(
            month=month,
            currency=currency,
            invoiced=_money(invoiced),
            collected=_money(collected),
            outstanding=_money(outstanding),
        )
        for month, currency, invoiced, collected, outstanding in await session.execute(statement)
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
    """What was outstanding at the end of ``as_of``, by days past due on that day, per currency.

    Counts the invoices issued by then and not voided by then, less the payments (refunds
    included) made and the credit notes dated by then: an invoice paid since still shows.
    """
    balances = _invoices_at(as_of)
    # Compared as dates rather than subtracted: asyncpg sends 9999-12-31 as 'infinity', which
    # PostgreSQL cannot subtract from.
    due = balances.c.due_date
    bucket = case(
        (due >= as_of, literal("current", String)),
        (due >= _days_before(as_of, 30), literal("days_1_30", String)),
        (due >= _days_before(as_of, 60), literal("days_31_60", String)),
        (due >= _days_before(as_of, 90), literal("days_61_90", String)),
        else_=literal("days_90_plus", String),
    ).label("bucket")
    outstanding = (
        select(balances.c.currency, bucket, balances.c.balance)
        .where(balances.c.balance > 0)
        .subquery("outstanding")
    )
    statement = select(
        outstanding.c.currency, outstanding.c.bucket, func.sum(outstanding.c.balance)
    ).group_by(outstanding.c.currency, outstanding.c.bucket)
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
