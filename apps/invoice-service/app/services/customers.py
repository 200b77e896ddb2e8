"""Customers: the people and companies invoices are addressed to."""

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.errors import Conflict, NotFound
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.query import contains_text

from ..models import Customer, Invoice
from ..schemas.customer import CustomerCreate, CustomerUpdate

CUSTOMER_SORTING = Sorting(
    fields={
        "id": Customer.id,  # type: ignore[dict-item]
        "name": Customer.name,  # type: ignore[dict-item]
        "created_at": Customer.created_at,  # type: ignore[dict-item]
    },
    default="name",
    tiebreaker=Customer.id,  # type: ignore[arg-type]
)


async def require_customer(session: AsyncSession, *, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} not found")
    return customer


async def list_customers(
    session: AsyncSession, *, params: ListParams, q: str | None = None
) -> PageResult[Customer]:
    statement = select(Customer)
    if q and q.strip():
        statement = statement.where(
            contains_text([Customer.name, Customer.email, Customer.tax_id], q)
        )
    return await paginate(session, statement, params=params, sorting=CUSTOMER_SORTING)


async def create_customer(session: AsyncSession, *, data: CustomerCreate) -> Customer:
    customer = Customer(**data.model_dump())
    session.add(customer)
    await session.flush()
    await session.refresh(customer)
    return customer


async def update_customer(
    session: AsyncSession, *, customer: Customer, changes: CustomerUpdate
) -> Customer:
    """Change some fields. Invoices keep the currency and due dates they were written with."""
    for field, value in changes.changes().items():
        setattr(customer, field, value)
    await session.flush()
    await session.refresh(customer)
    return customer


async def delete_customer(session: AsyncSession, *, customer: Customer) -> None:
    """Delete a customer that was never invoiced (invoices are part of the books)."""
    has_invoices = await session.scalar(select(exists().where(Invoice.customer_id == customer.id)))
    if has_invoices:
        raise Conflict(
            f"Customer {customer.id} has invoices and cannot be deleted",
            code="customer_has_invoices",
        )
    # An invoice drafted meanwhile makes the foreign key refuse this (answered as 409).
    await session.delete(customer)
    await session.flush()
