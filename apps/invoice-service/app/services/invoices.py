"""Invoices: drafts and their lines, issuing (number + tax records), voiding, lists.

Every change of an invoice starts with :func:`lock_invoice` (its row ``FOR UPDATE``), so that two
requests on one invoice queue instead of both passing the same check; the events it publishes are
written in that same transaction, after the change, so they leave in the order of the changes.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlmodel import col

from tb_platform.employee_directory import EmployeeDirectory, ensure_current_employee
from tb_platform.errors import Conflict, InvalidField, NotFound
from tb_platform.events.catalog import InvoiceIssued, InvoicePaid, InvoiceVoided
from tb_platform.money import check_minor_unit, minor_unit
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.query import contains_text
from tb_platform.uow import UnitOfWork

from ..models import (
    OPEN_STATUSES,
    CreditNote,
    Customer,
    Invoice,
    InvoiceStatus,
    LineItem,
    SequenceKind,
    StatusFilter,
    TaxRecord,
    TaxSource,
)
from ..schemas.invoice import (
    InvoiceBulk,
    InvoiceCreate,
    InvoicePreviewRequest,
    InvoiceUpdate,
    LineInput,
)
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


def overdue_condition(today: dt.date) -> ColumnElement[bool]:
    return and_(col(Invoice.status).in_(OPEN_STATUSES), col(Invoice.due_date) < today)


def _full_invoice(invoice_id: int) -> Any:
    return (
        select(Invoice)
        .where(col(Invoice.id) == invoice_id)
        .options(*FULL_INVOICE)
        .execution_options(populate_existing=True)
    )


async def get_invoice(session: AsyncSession, *, invoice_id: int) -> Invoice | None:
    """The invoice with its customer, lines, payments and credit notes, read afresh."""
    return (await session.scalars(_full_invoice(invoice_id))).one_or_none()


async def require_invoice(session: AsyncSession, *, invoice_id: int) -> Invoice:
    """:func:`get_invoice`, or 404."""
    invoice = await get_invoice(session, invoice_id=invoice_id)
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} not found")
    return invoice


async def lock_invoice(uow: UnitOfWork, *, invoice_id: int) -> Invoice:
    """The invoice about to be changed, its row locked (``FOR UPDATE``) until the unit commits.

    The one way a write path loads an invoice: every change of its state (edit, delete, issue,
    void, payment, credit note) locks first and checks the state after, so concurrent requests
    on one invoice run one after the other and cannot both pass the same check. 404 if absent.
    """
    statement = _full_invoice(invoice_id).with_for_update(of=Invoice)
    invoice = (await uow.session.scalars(statement)).one_or_none()
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} not found")
    return invoice


def event_fields(invoice: Invoice) -> dict[str, Any]:
    """What every invoice event carries: the invoice and its totals as they are now.

    ``invoice.customer`` must be loaded (:func:`lock_invoice` loads it).
    """
    assert invoice.id is not None
    customer = invoice.customer
    return {
        "id": invoice.id,
        "number": invoice.number,
        "customer_id": invoice.customer_id,
        "customer_name": customer.name if customer is not None else None,
        "customer_email": customer.email if customer is not None else None,
        "employee_id": invoice.employee_id,
        "status": InvoiceStatus(invoice.status).value,
        "currency": invoice.currency,
        "total": invoice.total,
        "amount_paid": invoice.amount_paid,
        "credited_total": invoice.credited_total,
        "balance_due": invoice.balance_due,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
    }


async def list_invoices(
    session: AsyncSession,
    *,
    params: ListParams,
    today: dt.date,
    status: StatusFilter | None = None,
    customer_id: int | None = None,
    overdue: bool | None = None,
    employee_id: int | None = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    currency: str | None = None,
    number: str | None = None,
    total_min: Decimal | None = None,
    total_max: Decimal | None = None,
    q: str | None = None,
    only_employee_id: int | None = None,
) -> PageResult[Invoice]:
    """Filter, sort and page invoices; ``only_employee_id`` narrows to one employee's.

    ``today`` is the day ``overdue`` is judged on. Date and total ranges include their bounds;
    ``number`` is a case-insensitive "contains" (a draft has no number, so it never matches).
    """
    statement = select(Invoice).options(*FULL_INVOICE)
    if status is StatusFilter.OVERDUE:
        statement = statement.where(overdue_condition(today))
    elif status is not None:
        statement = statement.where(col(Invoice.status) == InvoiceStatus(status.value))
    if overdue is not None:
        condition = overdue_condition(today)
        statement = statement.where(condition if overdue else not_(condition))
    if customer_id is not None:
        statement = statement.where(col(Invoice.customer_id) == customer_id)
    if employee_id is not None:
        statement = statement.where(col(Invoice.employee_id) == employee_id)
    if only_employee_id is not None:
        statement = statement.where(col(Invoice.employee_id) == only_employee_id)
    if issued_from is not None:
        statement = statement.where(col(Invoice.issue_date) >= issued_from)
    if issued_to is not None:
        statement = statement.where(col(Invoice.issue_date) <= issued_to)
    if due_from is not None:
        statement = statement.where(col(Invoice.due_date) >= due_from)
    if due_to is not None:
        statement = statement.where(col(Invoice.due_date) <= due_to)
    if currency is not None:
        statement = statement.where(col(Invoice.currency) == currency)
    if number and number.strip():
        statement = statement.where(contains_text([Invoice.number], number))  # type: ignore[list-item]
    if total_min is not None:
        statement = statement.where(col(Invoice.total) >= total_min)
    if total_max is not None:
        statement = statement.where(col(Invoice.total) <= total_max)
    if q and q.strip():
        # contains_text is typed for InstrumentedAttribute, SQLModel types these fields as str
        customer_names = select(col(Customer.id)).where(
            contains_text([Customer.name], q)  # type: ignore[list-item]
        )
        statement = statement.where(
            or_(
                contains_text([Invoice.number, Invoice.notes], q),  # type: ignore[list-item]
                col(Invoice.customer_id).in_(customer_names),
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


def _totals(amounts: Sequence[LineAmounts]) -> LineAmounts:
    total = sums(amounts)
    check_storable(total.total, "lines", "the invoice total")
    return total


@dataclass(frozen=True)
class InvoiceAmounts:
    """What an invoice's lines come to: each line's amounts (in order) and the totals."""

    lines: list[LineAmounts]
    totals: LineAmounts


def invoice_amounts(lines: Sequence[LineInput], currency: str) -> InvoiceAmounts:
    """The amounts of new lines in ``currency``, rounded as the invoice stores them.

    The one computation behind a draft's lines (create, and an edit that replaces them) and the
    preview: 422 on ``lines.N.unit_price`` for a fraction the currency does not have (no cents
    in yen) or a total too large to store.
    """
    amounts: list[LineAmounts] = []
    for index, line in enumerate(lines):
        check_minor_unit(line.unit_price, currency, ["lines", index, "unit_price"])
        amounts.append(_amounts(line, currency, index))
    return InvoiceAmounts(lines=amounts, totals=_totals(amounts))


def _set_totals(invoice: Invoice, total: LineAmounts) -> None:
    invoice.subtotal = total.net_amount
    invoice.tax_total = total.tax_amount
    invoice.total = total.total
    # A draft has no payments or credit notes.
    invoice.balance_due = total.total


def _new_lines(invoice: Invoice, lines: Sequence[LineInput]) -> list[LineItem]:
    """Line rows for a draft, with their amounts; the invoice's totals follow."""
    assert invoice.id is not None
    computed = invoice_amounts(lines, invoice.currency)
    rows = [
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
        for index, (line, amounts) in enumerate(zip(lines, computed.lines, strict=True))
    ]
    _set_totals(invoice, computed.totals)
    return rows


def _line_total(line: LineItem) -> LineAmounts:
    return LineAmounts(net_amount=line.net_amount, tax_amount=line.tax_amount, total=line.total)


async def _check_employee(
    uow: UnitOfWork, employee_id: int | None, employees: EmployeeDirectory
) -> None:
    # Before anything is locked or written: an employee this service has not heard of yet is
    # asked of the employee service (with this service's own token), and no row of ours should
    # be held meanwhile. 422 on employee_id when unknown or terminated, 503 when it cannot tell.
    if employee_id is not None:
        await ensure_current_employee(uow, employee_id, field="employee_id", directory=employees)


async def create_invoice(
    uow: UnitOfWork, *, data: InvoiceCreate, employees: EmployeeDirectory
) -> Invoice:
    """A draft with its lines. Dates and currency default from the customer and the clock;
    ``employee_id`` must be a current employee (looked up in ``employees``).

    A draft is the service's own working paper: nothing is published until it is issued.
    """
    await _check_employee(uow, data.employee_id, employees)
    session = uow.session
    customer = await _customer(session, data.customer_id)
    issue_date = data.issue_date or uow.clock.today()
    invoice = Invoice(
        customer_id=data.customer_id,
        status=InvoiceStatus.DRAFT,
        issue_date=issue_date,
        due_date=data.due_date or _due_date(issue_date, customer.payment_terms_days),
        currency=data.currency or customer.currency,
        notes=data.notes or None,
        employee_id=data.employee_id,
        created_by=uow.actor.sub,
        updated_by=uow.actor.sub,
    )
    _check_dates(invoice)
    session.add(invoice)
    await session.flush()
    session.add_all(_new_lines(invoice, data.lines))
    await session.flush()
    assert invoice.id is not None
    return await require_invoice(session, invoice_id=invoice.id)


async def preview_invoice(
    uow: UnitOfWork, *, data: InvoicePreviewRequest
) -> tuple[str, InvoiceAmounts]:
    """The currency and the amounts a draft of ``data`` would get; nothing is written.

    The currency is the one given, else the customer's (an unknown customer is a 422 on
    ``customer_id``, as on creation); with neither, a 422 on ``currency``. The lines are checked
    and rounded by :func:`invoice_amounts`, exactly as :func:`create_invoice` stores them.
    """
    currency = data.currency
    if data.customer_id is not None:
        customer = await _customer(uow.session, data.customer_id)
        currency = currency or customer.currency
    if currency is None:
        raise InvalidField("currency", "give the currency, or the customer whose currency it is")
    return currency, invoice_amounts(data.lines, currency)


def _ensure_draft(invoice: Invoice, action: str) -> None:
    if invoice.status != InvoiceStatus.DRAFT:
        raise Conflict(
            f"Invoice {invoice.number or invoice.id} is {invoice.status.value}; only a draft can"
            f" be {action}",
            code="invoice_not_draft",
        )


async def update_invoice(
    uow: UnitOfWork, *, invoice_id: int, changes: InvoiceUpdate, employees: EmployeeDirectory
) -> Invoice:
    """Change a draft; ``lines`` given replaces them all. An issued invoice is immutable (409).

    An ``employee_id`` sent is checked like on creation (even if unchanged), before the lock.
    """
    session = uow.session
    values: dict[str, Any] = changes.changes()
    await _check_employee(uow, values.get("employee_id"), employees)
    invoice = await lock_invoice(uow, invoice_id=invoice_id)
    _ensure_draft(invoice, "edited")
    values.pop("lines", None)
    if "customer_id" in values:
        await _customer(session, values["customer_id"])
    if "notes" in values:
        values["notes"] = values["notes"] or None
    for field, value in values.items():
        setattr(invoice, field, value)
    _check_dates(invoice, field="due_date" if "due_date" in values else "issue_date")

    if changes.lines is not None:
        await session.execute(delete(LineItem).where(col(LineItem.invoice_id) == invoice.id))
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
        _set_totals(invoice, _totals(amounts))
    invoice.updated_by = uow.actor.sub
    await session.flush()
    return await require_invoice(session, invoice_id=invoice_id)


async def delete_invoice(uow: UnitOfWork, *, invoice_id: int) -> None:
    """Delete a draft (it has no number, so no gap is left; nobody outside heard of it)."""
    invoice = await lock_invoice(uow, invoice_id=invoice_id)
    _ensure_draft(invoice, "deleted")
    # Its lines go with it (ON DELETE CASCADE).
    await uow.session.execute(delete(Invoice).where(col(Invoice.id) == invoice_id))


def tax_by_rate(lines: Sequence[Any]) -> dict[Decimal, tuple[Decimal, Decimal]]:
    """Rate → (taxable amount, tax amount) over lines (invoice lines or credit note lines)."""
    totals: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        entry = totals[line.tax_rate]
        entry[0] += line.net_amount
        entry[1] += line.tax_amount
    return {rate: (taxable, tax) for rate, (taxable, tax) in sorted(totals.items())}


async def issue_invoice(uow: UnitOfWork, *, invoice_id: int) -> Invoice:
    """Draft → issued: the next number of its issue year and one tax record per tax rate.

    Publishes ``invoice.issued``.
    """
    session = uow.session
    invoice = await lock_invoice(uow, invoice_id=invoice_id)
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
    invoice.issued_at = uow.clock.now()
    invoice.updated_by = uow.actor.sub
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
    await uow.publish(InvoiceIssued(**event_fields(invoice)))
    return await require_invoice(session, invoice_id=invoice_id)


async def void_invoice(uow: UnitOfWork, *, invoice_id: int, reason: str) -> Invoice:
    """Draft or issued (no money received, nothing credited) → void.

    An issued invoice's tax records are reversed by negative rows dated the day of the void, and
    ``invoice.voided`` is published. A voided draft publishes nothing: it was never issued, so no
    other service has heard of it (as with deleting a draft).
    """
    session = uow.session
    invoice = await lock_invoice(uow, invoice_id=invoice_id)
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
    now = uow.clock.now()
    was_issued = invoice.status == InvoiceStatus.ISSUED
    if was_issued:
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
    invoice.updated_by = uow.actor.sub
    await session.flush()
    if was_issued:
        await uow.publish(InvoiceVoided(**event_fields(invoice)))
    return await require_invoice(session, invoice_id=invoice_id)


def bulk_step(
    uow: UnitOfWork, *, body: InvoiceBulk
) -> tuple[Callable[[int], Awaitable[Invoice]], str]:
    """The single-row change a bulk action applies to each invoice (issue, or void with the
    request's reason), and how its message says it. Each row goes through the very function of
    its single-row endpoint: the same checks, the same numbers, the same events."""
    body.check_action_fields()
    if body.action == "issue":

        async def issue(invoice_id: int) -> Invoice:
            return await issue_invoice(uow, invoice_id=invoice_id)

        return issue, "issued"
    reason = body.reason
    assert reason is not None  # check_action_fields

    async def void(invoice_id: int) -> Invoice:
        return await void_invoice(uow, invoice_id=invoice_id, reason=reason)

    return void, "voided"


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


async def on_invoice_paid(uow: UnitOfWork, invoice: Invoice) -> None:
    """Publish ``invoice.paid``: ``invoice`` (locked) has just reached a balance of zero.

    Called by the payment or the credit note that settled it, after :func:`settle` said so, in
    the same transaction. An invoice reaches zero once: nothing raises a balance again (a credit
    note on a paid invoice refunds instead), so each invoice publishes it at most once.
    """
    await uow.publish(InvoicePaid(**event_fields(invoice)))
