"""Loaders shared by the endpoints: an id in the path becomes a row the caller may see, or 404."""

from typing import Annotated

from fastapi import Depends, Path

from tb_platform.app import current_settings
from tb_platform.db import SessionDep
from tb_platform.errors import NotFound
from tb_platform.types import PG_INT_MAX

from ..core.config import InvoiceSettings
from ..core.permissions import ReadCustomers, ReadInvoices, WriteCustomers
from ..models import Customer, Invoice
from ..services.customers import require_customer
from ..services.invoices import get_invoice

InvoiceId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]
CustomerId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]


async def _readable_invoice(
    invoice_id: InvoiceId, grant: ReadInvoices, session: SessionDep
) -> Invoice:
    invoice = await get_invoice(session, invoice_id=invoice_id)
    # Outside the caller's reach is "not found", so that ids of others reveal nothing.
    if invoice is None or not grant.covers(invoice.employee_id):
        raise NotFound(f"Invoice {invoice_id} not found")
    return invoice


async def _readable_customer(
    customer_id: CustomerId, _: ReadCustomers, session: SessionDep
) -> Customer:
    return await require_customer(session, customer_id=customer_id)


async def _writable_customer(
    customer_id: CustomerId, _: WriteCustomers, session: SessionDep
) -> Customer:
    return await require_customer(session, customer_id=customer_id)


ReadableInvoice = Annotated[Invoice, Depends(_readable_invoice)]
ReadableCustomer = Annotated[Customer, Depends(_readable_customer)]
WritableCustomer = Annotated[Customer, Depends(_writable_customer)]
SettingsDep = Annotated[InvoiceSettings, Depends(current_settings)]
