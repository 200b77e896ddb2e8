from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from starlette.concurrency import run_in_threadpool

from tb_platform.errors import InvalidField
from tb_platform.paging import ListParamsDep, Page
from tb_platform.types import BusinessDate, Id, SearchText

from ....core.config import SettingsDep
from ....core.permissions import ReadInvoices, WriteInvoices
from ....models import StatusFilter
from ....schemas.invoice import InvoiceCreate, InvoicePublic, InvoiceUpdate, VoidRequest
from ....services import invoices as service
from ....services.pdf import render_invoice
from ...deps import EmployeeDirectoryDep, ReadableInvoice, UnitOfWorkDep

# /invoices/summary and /invoices/aging live in reports.py, whose router is included first so
# that they are matched before /invoices/{invoice_id}.
router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get("", response_model=Page[InvoicePublic])
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
    q: Annotated[
        SearchText | None, Query(description="Number, customer name or notes contains")
    ] = None,
) -> Page[InvoicePublic]:
    """Sort by ``issue_date`` (default ``-issue_date``), ``due_date``, ``number``, ``total``,
    ``created_at`` or ``id``; prefix ``-`` for descending."""
    if issued_from and issued_to and issued_from > issued_to:
        raise InvalidField("issued_from", "issued_from is after issued_to", location="query")
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
