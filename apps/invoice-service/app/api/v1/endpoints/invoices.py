from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from starlette.concurrency import run_in_threadpool

from tb_platform.bulk import BULK_RESPONSES, BulkResult, run_bulk
from tb_platform.db import replica_read
from tb_platform.errors import InvalidField
from tb_platform.money import Currency, Money
from tb_platform.paging import ListParamsDep, Page
from tb_platform.types import BusinessDate, Id, SearchText

from ....core.config import SettingsDep
from ....core.permissions import ReadInvoices, WriteInvoices
from ....models import Invoice, StatusFilter
from ....schemas.invoice import (
    InvoiceBulk,
    InvoiceCreate,
    InvoicePreview,
    InvoicePreviewRequest,
    InvoicePublic,
    InvoiceUpdate,
    LinePreview,
    VoidRequest,
)
from ....services import invoices as service
from ....services.pdf import render_invoice
from ...deps import EmployeeDirectoryDep, ReadableInvoice, UnitOfWorkDep

# /invoices/summary and /invoices/aging live in reports.py, whose router is included first so
# that they are matched before /invoices/{invoice_id}.
router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get("", response_model=Page[InvoicePublic])
@replica_read
async def list_invoices(
    grant: ReadInvoices,
    uow: UnitOfWorkDep,
    params: ListParamsDep,
    status: Annotated[
        StatusFilter | None, Query(description="A status, or overdue (derived)")
    ] = None,
    customer_id: Annotated[Id | None, Query()] = None,
    overdue: Annotated[bool | None, Query()] = None,
    employee_id: Annotated[Id | None, Query()] = None,
    issued_from: Annotated[
        BusinessDate | None, Query(description="Issue date from (inclusive)")
    ] = None,
    issued_to: Annotated[
        BusinessDate | None, Query(description="Issue date to (inclusive)")
    ] = None,
    due_from: Annotated[BusinessDate | None, Query(description="Due date from (inclusive)")] = None,
    due_to: Annotated[BusinessDate | None, Query(description="Due date to (inclusive)")] = None,
    currency: Annotated[Currency | None, Query(description="ISO 4217 code, e.g. EUR")] = None,
    number: Annotated[
        SearchText | None, Query(description="Invoice number contains (any case)")
    ] = None,
    total_min: Annotated[Money | None, Query(description="Total at least")] = None,
    total_max: Annotated[Money | None, Query(description="Total at most")] = None,
    q: Annotated[
        SearchText | None, Query(description="Number, customer name or notes contains")
    ] = None,
) -> Page[InvoicePublic]:
    """Sort by ``issue_date`` (default ``-issue_date``), ``due_date``, ``number``, ``total``,
    ``created_at`` or ``id``; prefix ``-`` for descending."""
    if issued_from and issued_to and issued_from > issued_to:
        raise InvalidField("issued_from", "issued_from is after issued_to", location="query")
    if due_from and due_to and due_from > due_to:
        raise InvalidField("due_from", "due_from is after due_to", location="query")
    if total_min is not None and total_max is not None and total_min > total_max:
        raise InvalidField("total_min", "total_min is more than total_max", location="query")
    today = uow.clock.today()
    result = await service.list_invoices(
        uow.session,
        params=params,
        today=today,
        status=status,
        customer_id=customer_id,
        overdue=overdue,
        employee_id=employee_id,
        issued_from=issued_from,
        issued_to=issued_to,
        due_from=due_from,
        due_to=due_to,
        currency=currency,
        number=number,
        total_min=total_min,
        total_max=total_max,
        q=q,
        only_employee_id=grant.only_employee_id,
    )
    return result.to_page(lambda invoice: InvoicePublic.of(invoice, today=today))


@router.post("", response_model=InvoicePublic, status_code=status.HTTP_201_CREATED)
async def create_invoice(
    body: InvoiceCreate, _: WriteInvoices, uow: UnitOfWorkDep, employees: EmployeeDirectoryDep
) -> InvoicePublic:
    """A draft with its lines; dates and currency default from the customer. ``employee_id``
    must be a current employee (else 422)."""
    invoice = await service.create_invoice(uow, data=body, employees=employees)
    return InvoicePublic.of(invoice, today=uow.clock.today())


@router.post("/preview", response_model=InvoicePreview)
async def preview_invoice(
    body: InvoicePreviewRequest, _: WriteInvoices, uow: UnitOfWorkDep
) -> InvoicePreview:
    """The amounts a draft of this body would get — each line's ``net_amount``, ``tax_amount``
    and ``total``, the ``subtotal``, ``tax_total`` and ``total`` — computed and rounded as
    creating it would, without writing anything (live totals of an invoice being edited).

    The body is the create body; ``customer_id`` may be left out when ``currency`` is given.
    Bad lines are the 422s of creating (e.g. a fraction of a yen, on ``lines.N.unit_price``).
    """
    currency, amounts = await service.preview_invoice(uow, data=body)
    return InvoicePreview(
        currency=currency,
        lines=[
            LinePreview(
                position=index + 1,
                net_amount=line.net_amount,
                tax_amount=line.tax_amount,
                total=line.total,
            )
            for index, line in enumerate(amounts.lines)
        ],
        subtotal=amounts.totals.net_amount,
        tax_total=amounts.totals.tax_amount,
        total=amounts.totals.total,
    )


@router.post("/bulk", response_model=BulkResult[InvoicePublic], responses=BULK_RESPONSES)
async def bulk_invoices(
    body: InvoiceBulk, _: WriteInvoices, uow: UnitOfWorkDep
) -> BulkResult[InvoicePublic]:
    """One action on up to 200 invoices, each by the rules (and with the event) of its
    single-row endpoint: ``issue`` (numbers given in ascending id order), or ``void`` with a
    ``reason``.

    All or nothing: 200 with every invoice when each could take the action; otherwise 409
    ``bulk_rejected``, nothing changed (no number used up), and ``results`` tells each failing
    invoice's status, code and reason.
    """
    step, done = service.bulk_step(uow, body=body)
    today = uow.clock.today()

    async def present(invoices: list[Invoice]) -> list[InvoicePublic]:
        return [InvoicePublic.of(invoice, today=today) for invoice in invoices]

    return await run_bulk(
        uow, action=body.action, ids=body.ids, apply=step, present=present, done=done
    )


@router.get("/{invoice_id}", response_model=InvoicePublic)
async def read_invoice(invoice: ReadableInvoice, uow: UnitOfWorkDep) -> InvoicePublic:
    return InvoicePublic.of(invoice, today=uow.clock.today())


@router.patch("/{invoice_id}", response_model=InvoicePublic)
async def update_invoice(
    invoice_id: Id,
    body: InvoiceUpdate,
    _: WriteInvoices,
    uow: UnitOfWorkDep,
    employees: EmployeeDirectoryDep,
) -> InvoicePublic:
    """Drafts only (else 409 ``invoice_not_draft``); ``lines`` given replaces them all; an
    ``employee_id`` sent must be a current employee (else 422)."""
    invoice = await service.update_invoice(
        uow, invoice_id=invoice_id, changes=body, employees=employees
    )
    return InvoicePublic.of(invoice, today=uow.clock.today())


@router.delete("/{invoice_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_invoice(invoice_id: Id, _: WriteInvoices, uow: UnitOfWorkDep) -> Response:
    """Drafts only (else 409 ``invoice_not_draft``)."""
    await service.delete_invoice(uow, invoice_id=invoice_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{invoice_id}/issue", response_model=InvoicePublic)
async def issue_invoice(invoice_id: Id, _: WriteInvoices, uow: UnitOfWorkDep) -> InvoicePublic:
    """Draft → issued: the next number of its issue year (INV-2026-000001) and tax records."""
    invoice = await service.issue_invoice(uow, invoice_id=invoice_id)
    return InvoicePublic.of(invoice, today=uow.clock.today())


@router.post("/{invoice_id}/void", response_model=InvoicePublic)
async def void_invoice(
    invoice_id: Id, body: VoidRequest, _: WriteInvoices, uow: UnitOfWorkDep
) -> InvoicePublic:
    """Draft, or issued without payments or credit notes → void (tax records reversed)."""
    invoice = await service.void_invoice(uow, invoice_id=invoice_id, reason=body.reason)
    return InvoicePublic.of(invoice, today=uow.clock.today())


@router.get(
    "/{invoice_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The invoice as a PDF"}},
)
async def invoice_pdf(invoice: ReadableInvoice, settings: SettingsDep) -> Response:
    content = await run_in_threadpool(render_invoice, invoice, settings)
    filename = f"{invoice.number or f'draft-{invoice.id}'}.pdf"
    return Response(
        content=content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
