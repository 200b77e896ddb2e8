"""Credit notes: crediting quantities of invoice lines, or an amount at one of its tax rates."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlmodel import col

from tb_platform.errors import Conflict, InvalidField
from tb_platform.events.catalog import InvoiceCredited
from tb_platform.money import check_minor_unit, round_money
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.uow import UnitOfWork

from ..models import (
    POSTED_STATUSES,
    CreditNote,
    CreditNoteLine,
    Invoice,
    LineItem,
    Payment,
    PaymentKind,
    PaymentMethod,
    SequenceKind,
    TaxRecord,
    TaxSource,
)
from ..schemas.credit_note import CreditLineInput, CreditNoteCreate
from .amounts import ZERO, split_gross
from .invoices import event_fields, lock_invoice, on_invoice_paid, settle, tax_by_rate
from .numbering import next_number
from .payments import publish_payment

CREDIT_NOTE_SORTING = Sorting(
    fields={
        "id": CreditNote.id,  # type: ignore[dict-item]
        "issue_date": CreditNote.issue_date,  # type: ignore[dict-item]
    },
    default="id",
    tiebreaker=CreditNote.id,  # type: ignore[arg-type]
)


@dataclass
class _Credited:
    """How much of one invoice line earlier credit notes (and this one so far) credited."""

    quantity: Decimal = Decimal(0)
    net: Decimal = ZERO
    tax: Decimal = ZERO


@dataclass
class _Creditable:
    lines: dict[int, _Credited] = field(default_factory=lambda: defaultdict(_Credited))
    gross_by_rate: dict[Decimal, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


def _already_credited(invoice: Invoice) -> _Creditable:
    state = _Creditable()
    for note in invoice.credit_notes:
        for line in note.lines:
            state.gross_by_rate[line.tax_rate] += line.total
            if line.line_id is not None:
                credited = state.lines[line.line_id]
                credited.quantity += line.quantity or 0
                credited.net += line.net_amount
                credited.tax += line.tax_amount
    return state


def _credit_lines(
    invoice: Invoice, items: list[CreditLineInput], state: _Creditable
) -> list[CreditNoteLine]:
    if not items:
        raise InvalidField("lines", "name at least one line to credit")
    by_id: dict[int, LineItem] = {line.id: line for line in invoice.lines if line.id is not None}
    result: list[CreditNoteLine] = []
    for index, item in enumerate(items):
        line = by_id.get(item.line_id)
        if line is None:
            raise InvalidField(
                ["lines", index, "line_id"],
                f"line {item.line_id} is not a line of invoice {invoice.number}",
            )
        credited = state.lines[item.line_id]
        remaining = line.quantity - credited.quantity
        # Without a quantity: whatever of the line has not been credited yet.
        quantity = item.quantity if item.quantity is not None else remaining
        if quantity > remaining:
            raise InvalidField(
                ["lines", index, "quantity"],
                f"only {remaining} of line {line.position} can still be credited",
            )
        # Cumulative rounding: after this note, the line is credited its rounded share
        # (quantity credited so far / line quantity) of net and tax. Credits part by part thus
        # never round past the line, and crediting the rest gives exactly what is left.
        share = (credited.quantity + quantity) / line.quantity
        net = round_money(line.net_amount * share, invoice.currency) - credited.net
        tax = round_money(line.tax_amount * share, invoice.currency) - credited.tax
        credited.quantity += quantity
        credited.net += net
        credited.tax += tax
        result.append(
            # credit_note_id is set once the note is flushed and has an id (create_credit_note).
            CreditNoteLine(  # type: ignore[call-arg]
                line_id=line.id,
                description=line.description,
                quantity=quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                net_amount=net,
                tax_amount=tax,
                total=net + tax,
            )
        )
    return result


def _credit_amount(
    invoice: Invoice, data: CreditNoteCreate, state: _Creditable
) -> list[CreditNoteLine]:
    assert data.amount is not None
    rates = sorted({line.tax_rate for line in invoice.lines})
    rate = data.tax_rate
    if rate is None:
        if len(rates) != 1:
            raise InvalidField("tax_rate", "the invoice has several tax rates; name one")
        rate = rates[0]
    if rate not in rates:
        listed = ", ".join(f"{r}%" for r in rates)
        raise InvalidField("tax_rate", f"the invoice has no line at {rate}% (it has {listed})")
    check_minor_unit(data.amount, invoice.currency, "amount")
    invoiced = sum((line.total for line in invoice.lines if line.tax_rate == rate), ZERO)
    remaining = invoiced - state.gross_by_rate[rate]
    if data.amount > remaining:
        raise InvalidField(
            "amount",
            f"only {remaining} {invoice.currency} invoiced at {rate}% can still be credited",
        )
    amounts = split_gross(gross=data.amount, tax_rate=rate, currency=invoice.currency)
    return [
        # credit_note_id is set once the note is flushed and has an id (create_credit_note).
        CreditNoteLine(  # type: ignore[call-arg]
            line_id=None,
            description=data.reason,
            quantity=None,
            unit_price=None,
            tax_rate=rate,
            net_amount=amounts.net_amount,
            tax_amount=amounts.tax_amount,
            total=amounts.total,
        )
    ]


async def create_credit_note(
    uow: UnitOfWork, *, invoice_id: int, data: CreditNoteCreate
) -> CreditNote:
    """Credit part or all of an issued invoice.

    The credit reduces the balance due; whatever exceeds what was still owed is paid back, as a
    refund (a negative payment). Numbered from its own gap-free sequence, with negative tax
    records dated its issue date (today, by the unit's clock).

    Publishes ``invoice.credited``; then ``payment.recorded`` with the negative amount when
    something was refunded, and ``invoice.paid`` when the credit settled the balance.
    """
    session = uow.session
    invoice = await lock_invoice(uow, invoice_id=invoice_id)
    if invoice.status not in POSTED_STATUSES:
        raise Conflict(
            f"Invoice {invoice.number or invoice.id} is {invoice.status.value}; only an issued"
            " invoice can be credited",
            code="invoice_not_creditable",
        )
    if data.lines is not None and data.amount is not None:
        raise InvalidField("amount", "credit either lines or an amount, not both")
    if data.lines is None and data.amount is None:
        raise InvalidField("lines", "name the lines to credit, or an amount and a tax rate")
    if data.lines is not None and data.tax_rate is not None:
        raise InvalidField("tax_rate", "tax_rate goes with amount; lines carry their own rate")

    state = _already_credited(invoice)
    if data.lines is not None:
        lines = _credit_lines(invoice, data.lines, state)
        where = "lines"
    else:
        lines = _credit_amount(invoice, data, state)
        where = "amount"
    subtotal = sum((line.net_amount for line in lines), ZERO)
    tax_total = sum((line.tax_amount for line in lines), ZERO)
    total = subtotal + tax_total
    creditable = invoice.total - invoice.credited_total
    if total > creditable:
        raise InvalidField(
            where,
            f"the credit ({total} {invoice.currency}) exceeds what can still be credited"
            f" ({creditable} {invoice.currency})",
        )
    if total <= 0:
        raise InvalidField(
            where,
            "these quantities come to nothing after rounding to the currency's minor unit"
            " (or nothing is left to credit); credit a larger quantity",
        )

    now = uow.clock.now()
    today = now.date()
    assert invoice.id is not None
    note = CreditNote(
        number=await next_number(session, kind=SequenceKind.CREDIT_NOTE, year=today.year),
        invoice_id=invoice.id,
        issue_date=today,
        reason=data.reason,
        subtotal=subtotal,
        tax_total=tax_total,
        total=total,
        refund_amount=max(total - invoice.balance_due, ZERO),
        created_by=uow.actor.sub,
    )
    session.add(note)
    await session.flush()
    assert note.id is not None
    for line in lines:
        line.credit_note_id = note.id
    session.add_all(lines)
    session.add_all(
        TaxRecord(
            source=TaxSource.CREDIT_NOTE,
            invoice_id=invoice.id,
            credit_note_id=note.id,
            record_date=today,
            currency=invoice.currency,
            tax_rate=rate,
            taxable_amount=-taxable,
            tax_amount=-tax,
        )
        for rate, (taxable, tax) in tax_by_rate(lines).items()
    )
    invoice.credited_total += total
    refund: Payment | None = None
    if note.refund_amount > 0:
        refund = Payment(
            invoice_id=invoice.id,
            kind=PaymentKind.REFUND,
            amount=-note.refund_amount,
            paid_at=now,
            method=PaymentMethod.OTHER,
            reference=f"refund {note.number}",
            credit_note_id=note.id,
            created_by=uow.actor.sub,
        )
        session.add(refund)
        invoice.amount_paid -= note.refund_amount
    invoice.updated_by = uow.actor.sub
    became_paid = settle(invoice)
    await session.flush()
    await uow.publish(
        InvoiceCredited(
            **event_fields(invoice),
            credit_note_id=note.id,
            credit_amount=note.total,
            credit_date=note.issue_date,
        )
    )
    if refund is not None:
        await publish_payment(uow, invoice, refund)
    # Settled by this credit: a receipt is due only if the customer paid something (an invoice
    # credited in full was never paid, and nobody should get a receipt for it).
    if became_paid and invoice.amount_paid > 0:
        await on_invoice_paid(uow, invoice)
    return await require_credit_note(session, credit_note_id=note.id)


async def require_credit_note(session: AsyncSession, *, credit_note_id: int) -> CreditNote:
    statement = (
        select(CreditNote)
        .where(col(CreditNote.id) == credit_note_id)
        .options(selectinload(CreditNote.lines))  # type: ignore[arg-type]
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one()


async def list_credit_notes(
    session: AsyncSession, *, invoice_id: int, params: ListParams
) -> PageResult[CreditNote]:
    """An invoice's credit notes with their lines, by ``id`` (default) or ``issue_date``."""
    statement = (
        select(CreditNote)
        .where(col(CreditNote.invoice_id) == invoice_id)
        .options(selectinload(CreditNote.lines))  # type: ignore[arg-type]
    )
    return await paginate(session, statement, params=params, sorting=CREDIT_NOTE_SORTING)
