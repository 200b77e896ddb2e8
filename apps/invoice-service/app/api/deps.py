"""Dependencies shared by the endpoints: the request's unit of work, and the loaders that turn an
id in the path into a row the caller may read, or 404.

Write paths take the id and load their row in the service, locked (``lock_invoice``,
``lock_customer``): a loader here never reads a row that is about to be changed.
"""

from typing import Annotated

from fastapi import Depends, Request

from tb_platform.db import SessionDep
from tb_platform.employee_directory import EmployeeDirectory
from tb_platform.errors import NotFound
from tb_platform.types import Id
from tb_platform.uow import UnitOfWork, unit_of_work_dependency

from ..core.permissions import ReadCustomers, ReadInvoices
from ..db.events import EVENTS
from ..models import Customer, Invoice
from ..services.customers import require_customer
from ..services.invoices import get_invoice

UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work_dependency(EVENTS), scope="function")]
"""The request's unit of work: its one session, the caller, the clock and the outbox."""


async def _employee_directory(request: Request) -> EmployeeDirectory:
    directory: EmployeeDirectory = request.app.state.employee_directory
    return directory


EmployeeDirectoryDep = Annotated[EmployeeDirectory, Depends(_employee_directory)]
"""Where an invoice's ``employee_id`` is checked: the projection, then the employee service."""


async def _readable_invoice(invoice_id: Id, grant: ReadInvoices, session: SessionDep) -> Invoice:
    invoice = await get_invoice(session, invoice_id=invoice_id)
    # Outside the caller's reach is "not found", so that ids of others reveal nothing.
    if invoice is None or not grant.covers(invoice.employee_id):
        raise NotFound(f"Invoice {invoice_id} not found")
    return invoice


async def _readable_customer(customer_id: Id, _: ReadCustomers, session: SessionDep) -> Customer:
    return await require_customer(session, customer_id=customer_id)


ReadableInvoice = Annotated[Invoice, Depends(_readable_invoice)]
ReadableCustomer = Annotated[Customer, Depends(_readable_customer)]
