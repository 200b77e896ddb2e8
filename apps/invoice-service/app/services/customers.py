"""Customers: the people and companies invoices are addressed to.

A customer is not announced by an event of its own: its name and email travel with every event
of its invoices.
"""

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.errors import Conflict, NotFound
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.query import contains_text
from tb_platform.uow import UnitOfWork

from ..models import Customer, Invoice
from ..models.customer import tax_id_key
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
    """The customer, or 404."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} not found")
    return customer


async def lock_customer(uow: UnitOfWork, *, customer_id: int) -> Customer:
    """The customer about to be changed or deleted, its row locked until the unit commits
    (the one way a write path loads a customer, like :func:`..invoices.lock_invoice`). 404."""
    statement = (
        select(Customer)
        .where(col(Customer.id) == customer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    customer = (await uow.session.scalars(statement)).one_or_none()
    if customer is None:
        raise NotFound(f"Customer {customer_id} not found")
    return customer


async def list_customers(
    session: AsyncSession, *, params: ListParams, q: str | None = None
) -> PageResult[Customer]:
    statement = select(Customer)
    if q and q.strip():
        # contains_text is typed for InstrumentedAttribute, SQLModel types these fields as str
        statement = statement.where(
            contains_text([Customer.name, Customer.email, Customer.tax_id], q)  # type: ignore[list-item]
        )
    return await paginate(session, statement, params=params, sorting=CUSTOMER_SORTING)


async def _refuse_duplicate_tax_id(
    session: AsyncSession, *, tax_id: str | None, customer_id: int | None = None
) -> None:
    """409 ``duplicate_tax_id`` naming the customer that already has ``tax_id`` (compared
    without whitespace, case-insensitively). The same email is fine: one buyer may buy for two
    companies, but a tax id is one company."""
    if tax_id is None:
        return
    statement = select(col(Customer.id), col(Customer.name)).where(
        tax_id_key(Customer.tax_id) == tax_id_key(tax_id)
    )
    if customer_id is not None:
        statement = statement.where(col(Customer.id) != customer_id)
    existing = (await session.execute(statement.limit(1))).first()
    if existing is not None:
        existing_id, name = existing
        raise Conflict(
            f"Customer {existing_id} ({name}) already has tax id {tax_id}",
            code="duplicate_tax_id",
            extra={"existing_customer": {"id": existing_id, "name": name}},
        )


async def _save(session: AsyncSession, customer: Customer) -> Customer:
    """Write the customer. The unique index on the tax id is the backstop for two requests that
    both passed the check at once: the loser is answered like the check would have answered."""
    # Read before the savepoint: its rollback expires what it changed.
    tax_id, customer_id = customer.tax_id, customer.id
    try:
        async with session.begin_nested():
            session.add(customer)
            await session.flush()
    except IntegrityError:
        await _refuse_duplicate_tax_id(session, tax_id=tax_id, customer_id=customer_id)
        raise
    await session.refresh(customer)
    return customer


async def create_customer(uow: UnitOfWork, *, data: CustomerCreate) -> Customer:
    """A new customer (409 ``duplicate_tax_id`` when another one has its tax id)."""
    await _refuse_duplicate_tax_id(uow.session, tax_id=data.tax_id)
    return await _save(uow.session, Customer(**data.model_dump()))


async def update_customer(
    uow: UnitOfWork, *, customer_id: int, changes: CustomerUpdate
) -> Customer:
    """Change some fields. Invoices keep the currency and due dates they were written with."""
    session = uow.session
    customer = await lock_customer(uow, customer_id=customer_id)
    values = changes.changes()
    if values.get("tax_id") is not None:
        await _refuse_duplicate_tax_id(session, tax_id=values["tax_id"], customer_id=customer.id)
    for field, value in values.items():
        setattr(customer, field, value)
    return await _save(session, customer)


async def delete_customer(uow: UnitOfWork, *, customer_id: int) -> None:
    """Delete a customer that was never invoiced (invoices are part of the books)."""
    session = uow.session
    customer = await lock_customer(uow, customer_id=customer_id)
    has_invoices = await session.scalar(
        select(exists().where(col(Invoice.customer_id) == customer.id))
    )
    if has_invoices:
        raise Conflict(
            f"Customer {customer.id} has invoices and cannot be deleted",
            code="customer_has_invoices",
        )
    # An invoice drafted meanwhile makes the foreign key refuse this (answered as 409).
    await session.delete(customer)
    await session.flush()
