"""Invoices: drafts and their lines, issuing (number + tax records), voiding, lists."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tb_platform.errors import Conflict, InvalidField, NotFound
from tb_platform.money import check_minor_unit, minor_unit
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.query import contains_text

from ..models import (
    OPEN_STATUSES,
    CreditNote,
    Customer,
    Invoice,
    InvoiceStatus,
    LineItem,
    SequenceKind,
    TaxRecord,
    TaxSource,
    utc_today,
)
from ..schemas.invoice import InvoiceCreate, InvoiceUpdate, LineInput, StatusFilter
from .amounts import ZERO, LineAmounts, check_storable, line_amounts, sums
from .numbering import next_number

INVOICE_SORTING = Sorting(
    fields={
        "id": Invoice.id,  # type: ignore[dict-item]
        "issue_date": Invoice.issue_date,  # type: ignore[dict-item]
        "due_date": Invoice.due_date,  # type: ignore[dict-item]
        "number": Invoice.number,  # type: ignore[dict-item]
        "total": Invoice.total,  # type: ignore[dict-item]
        "created_at": Invoice.created_at,  # type: ignore[dict-item]
    },
    default="-issue_date",
    tiebreaker=Invoice.id,  # type: ignore[arg-type]
)

# Everything an invoice response shows, loaded in a fixed number of queries (no N+1).
FULL_INVOICE = (
    selectinload(Invoice.customer),  # type: ignore[arg-type]
    selectinload(Invoice.lines),  # type: ignore[arg-type]
    selectinload(Invoice.payments),  # type: ignore[arg-type]
    selectinload(Invoice.credit_notes).selectinload(CreditNote.lines),  # type: ignore[arg-type]
)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def overdue_condition(today: dt.date) -> ColumnElement[bool]:
    return and_(Invoice.status.in_(OPEN_STATUSES), Invoice.due_date < today)


async def get_invoice(
    session: AsyncSession, *, invoice_id: int, lock: bool = False
) -> Invoice | None:
    """The invoice with its lines, payments and credit notes, read afresh from the database.

    ``lock`` takes the invoice row FOR UPDATE: every change of an invoice's state (issue, void,
    payment, credit note, edit) does so before checking the state, so that two concurrent
    requests cannot both pass the check.
    """
    statement = (
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .options(*FULL_INVOICE)
        .execution_options(populate_existing=True)
    )
    if lock:
        statement = statement.with_for_update(of=Invoice)
    return (await session.scalars(statement)).one_or_none()


async def require_invoice(session: AsyncSession, *, invoice_id: int, lock: bool = False) -> Invoice:
    invoice = await get_invoice(session, invoice_id=invoice_id, lock=lock)
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} not found")
    return invoice


async def list_invoices(
    session: AsyncSession,
    *,
    params: ListParams,
    status: StatusFilter | None = None,
    customer_id: int | None = None,
    overdue: bool | None = None,
    employee_id: int | None = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    q: str | None = None,
    only_employee_id: int | None = None,
) -> PageResult[Invoice]:
    """Filter, sort and page invoices; ``only_employee_id`` narrows to one employee's."""
    statement = select(Invoice).options(*FULL_INVOICE)
    today = utc_today()
    if status is StatusFilter.OVERDUE:
        statement = statement.where(overdue_condition(today))
    elif status is not None:
        statement = statement.where(Invoice.status == InvoiceStatus(status.value))
    if overdue is not None:
        condition = overdue_condition(today)
        statement = statement.where(condition if overdue else not_(condition))
    if customer_id is not None:
        statement = statement.where(Invoice.customer_id == customer_id)
    if employee_id is not None:
        statement = statement.where(Invoice.employee_id == employee_id)
    if only_employee_id is not None:
        statement = statement.where(Invoice.employee_id == only_employee_id)
    if issued_from is not None:
        statement = statement.where(Invoice.issue_date >= issued_from)
    if issued_to is not None:
        statement = statement.where(Invoice.issue_date <= issued_to)
    if q and q.strip():
        customer_names = select(Customer.id).where(contains_text([Customer.name], q))
        statement = statement.where(
            or_(
                contains_text([Invoice.number, Invoice.notes], q),
                Invoice.customer_id.in_(customer_names),  # type: ignore[attr-defined]
            )
        )
    return await paginate(session, statement, params=params, sorting=INVOICE_SORTING)


async def _customer(session: AsyncSession, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise InvalidField("customer_id", f"customer {customer_id} does not exist")
    return customer


def _due_date(issue_date: dt.date, terms_days: int) -> dt.date:
    try:
        return issue_date + dt.timedelta(days=terms_days)
    except OverflowError as exc:
        raise InvalidField("issue_date", "issue_date is too late to add the payment terms") from exc


def _check_dates(invoice: Invoice, *, field: str = "due_date") -> None:
    if invoice.due_date < invoice.issue_date:
        raise InvalidField(field, "due_date cannot be before issue_date")


def _amounts(line: LineItem | LineInput, currency: str, index: int) -> LineAmounts:
    amounts = line_amounts(
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        tax_rate=line.tax_rate,
        currency=currency,
    )
    check_storable(amounts.total, ["lines", index, "unit_price"], "the line's total")
    return amounts


def _set_totals(invoice: Invoice, amounts: Sequence[LineAmounts]) -> None:
    total = sums(amounts)
    check_storable(total.total, "lines", "the invoice total")
    invoice.subtotal = total.net_amount
    invoice.tax_total = total.tax_amount
    invoice.total = total.total
    # A draft has no payments or credit notes.
    invoice.balance_due = total.total


def _new_lines(invoice: Invoice, lines: Sequence[LineInput]) -> list[LineItem]:
    """Line rows for a draft, with their amounts; the invoice's totals follow."""
    assert invoice.id is not None
    rows: list[LineItem] = []
    for index, line in enumerate(lines):
        check_minor_unit(line.unit_price, invoice.currency, ["lines", index, "unit_price"])
        amounts = _amounts(line, invoice.currency, index)
        rows.append(
            LineItem(
                invoice_id=invoice.id,
                position=index + 1,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                net_amount=amounts.net_amount,
                tax_amount=amounts.tax_amount,
                total=amounts.total,
            )
        )
    _set_totals(invoice, [_line_total(row) for row in rows])
    return rows


def _line_total(line: LineItem) -> LineAmounts:
    return LineAmounts(net_amount=line.net_amount, tax_amount=line.tax_amount, total=line.total)


async def create_invoice(session: AsyncSession, *, data: InvoiceCreate, actor: str) -> Invoice:
    """A draft with its lines. Dates and currency default from the customer."""
    customer = await _customer(session, data.customer_id)
    issue_date = data.issue_date or utc_today()
    invoice = Invoice(
        customer_id=data.customer_id,
        status=InvoiceStatus.DRAFT,
        issue_date=issue_date,
        due_date=data.due_date or _due_date(issue_date, customer.payment_terms_days),
        currency=data.currency or customer.currency,
        notes=data.notes or None,
        employee_id=data.employee_id,
        created_by=actor,
        updated_by=actor,
    )
    _check_dates(invoice)
    session.add(invoice)
    await session.flush()
    session.add_all(_new_lines(invoice, data.lines))
    await session.flush()
    assert invoice.id is not None
    return await require_invoice(session, invoice_id=invoice.id)


def _ensure_draft(invoice: Invoice, action: str) -> None:
    if invoice.status != InvoiceStatus.DRAFT:
        raise Conflict(
            f"Invoice {invoice.number or invoice.id} is {invoice.status.value}; only a draft can"
            f" be {action}",
            code="invoice_not_draft",
        )


async def update_invoice(
    session: AsyncSession, *, invoice_id: int, changes: InvoiceUpdate, actor: str
) -> Invoice:
    """Change a draft; ``lines`` given replaces them all. An issued invoice is immutable (409)."""
    invoice = await require_invoice(session, invoice_id=invoice_id, lock=True)
    _ensure_draft(invoice, "edited")
    values: dict[str, Any] = changes.changes()
    values.pop("lines", None)
    if "customer_id" in values:
        await _customer(session, values["customer_id"])
    if "notes" in values:
        values["notes"] = values["notes"] or None
    for field, value in values.items():
        setattr(invoice, field, value)
    _check_dates(invoice, field="due_date" if "due_date" in values else "issue_date")

    if changes.lines is not None:
        await session.execute(delete(LineItem).where(LineItem.invoice_id == invoice.id))  # type: ignore[arg-type]
        session.add_all(_new_lines(invoice, changes.lines))
    elif "currency" in values:
        # Amounts are rounded to the currency's minor unit: recompute them for the new one, whose
        # minor unit the prices must be whole numbers of (no cents in yen).
        unit = minor_unit(invoice.currency)
        for line in invoice.lines:
            if line.unit_price % unit:
                raise InvalidField(
                    "currency",
                    f"line {line.position}'s unit price {line.unit_price} has fractions"
                    f" {invoice.currency} does not have (below {unit}); send new lines with it",
                )
        amounts = []
        for index, line in enumerate(invoice.lines):
            line_amounts_ = _amounts(line, invoice.currency, index)
            line.net_amount = line_amounts_.net_amount
            line.tax_amount = line_amounts_.tax_amount
            line.total = line_amounts_.total
            amounts.append(line_amounts_)
        _set_totals(invoice, amounts)
    invoice.updated_by = actor
    await session.flush()
    return await require_invoice(session, invoice_id=invoice_id)


async def delete_invoice(session: AsyncSession, *, invoice_id: int) -> None:
    """Delete a draft (it has no number, so no gap is left)."""
    invoice = await require_invoice(session, invoice_id=invoice_id, lock=True)
    _ensure_draft(invoice, "deleted")
    # Its lines go with it (ON DELETE CASCADE).
    await session.execute(delete(Invoice).where(Invoice.id == invoice_id))  # type: ignore[arg-type]


def tax_by_rate(lines: Sequence[Any]) -> dict[Decimal, tuple[Decimal, Decimal]]:
    """Rate → (taxable amount, tax amount) over lines (invoice lines or credit note lines)."""
    totals: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        entry = totals[line.tax_rate]
        entry[0] += line.net_amount
        entry[1] += line.tax_amount
    return {rate: (taxable, tax) for rate, (taxable, tax) in sorted(totals.items())}


async def issue_invoice(session: AsyncSession, *, invoice_id: int, actor: str) -> Invoice:
    """Draft → issued: the next number of its issue year and one tax record per tax rate."""
    invoice = await require_invoice(session, invoice_id=invoice_id, lock=True)
    _ensure_draft(invoice, "issued")
    if not invoice.lines:
        raise Conflict(
            "An invoice needs at least one line to be issued", code="invoice_has_no_lines"
        )
    assert invoice.id is not None
    invoice.number = await next_number(
        session, kind=SequenceKind.INVOICE, year=invoice.issue_date.year
    )
    invoice.status = InvoiceStatus.ISSUED
    invoice.issued_at = utc_now()
    invoice.updated_by = actor
    session.add_all(
        TaxRecord(
            source=TaxSource.INVOICE,
            invoice_id=invoice.id,
            record_date=invoice.issue_date,
            currency=invoice.currency,
            tax_rate=rate,
            taxable_amount=taxable,
            tax_amount=tax,
        )
        for rate, (taxable, tax) in tax_by_rate(invoice.lines).items()
    )
    await session.flush()
    return await require_invoice(session, invoice_id=invoice_id)


async def void_invoice(
    session: AsyncSession, *, invoice_id: int, reason: str, actor: str
) -> Invoice:
    """Draft or issued (no money received, nothing credited) → void.

    An issued invoice's tax records are reversed by negative rows dated the day of the void.
    """
    invoice = await require_invoice(session, invoice_id=invoice_id, lock=True)
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED):
        raise Conflict(
            f"Invoice {invoice.number or invoice.id} is {invoice.status.value}; only a draft or"
            " an issued invoice without payments can be voided",
            code="invoice_not_voidable",
        )
    if invoice.payments:
        raise Conflict(
            "Money was received for this invoice; credit it instead of voiding it",
            code="invoice_has_payments",
        )
    if invoice.credit_notes:
        raise Conflict(
            "This invoice has credit notes; credit the rest instead of voiding it",
            code="invoice_has_credit_notes",
        )
    now = utc_now()
    if invoice.status == InvoiceStatus.ISSUED:
        assert invoice.id is not None
        session.add_all(
            TaxRecord(
                source=TaxSource.VOID,
                invoice_id=invoice.id,
                record_date=now.date(),
                currency=invoice.currency,
                tax_rate=rate,
                taxable_amount=-taxable,
                tax_amount=-tax,
            )
            for rate, (taxable, tax) in tax_by_rate(invoice.lines).items()
        )
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = now
    invoice.void_reason = reason
    invoice.updated_by = actor
    await session.flush()
    return await require_invoice(session, invoice_id=invoice_id)


def settle(invoice: Invoice) -> bool:
    """Recompute the balance and the status after money moved; True when it has just become paid."""
    invoice.balance_due = invoice.total - invoice.credited_total - invoice.amount_paid
    if invoice.balance_due == 0:
        if invoice.status != InvoiceStatus.PAID:
            invoice.status = InvoiceStatus.PAID
            return True
    elif invoice.amount_paid > 0:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    return False


async def on_invoice_paid(session: AsyncSession, invoice: Invoice) -> None:
    """The seam of the ``invoice.paid`` event.

    invoice.paid will be written to the outbox here, in the same transaction as the payment or
    credit note that settled the invoice, once the event bus exists. Nothing to do yet.
    """
    del session, invoice
