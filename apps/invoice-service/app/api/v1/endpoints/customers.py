from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tb_platform.db import SessionDep, replica_read
from tb_platform.paging import ListParamsDep, Page
from tb_platform.types import Id, SearchText

from ....core.permissions import ReadCustomers, WriteCustomers
from ....models import Customer
from ....schemas.customer import CustomerCreate, CustomerPublic, CustomerUpdate
from ....services import customers as service
from ...deps import ReadableCustomer, UnitOfWorkDep

router = APIRouter(prefix="/customers", tags=["customers"])


def _public(customer: Customer) -> CustomerPublic:
    return CustomerPublic.model_validate(customer)


@router.get("", response_model=Page[CustomerPublic])
@replica_read
async def list_customers(
    _: ReadCustomers,
    session: SessionDep,
    params: ListParamsDep,
    q: Annotated[SearchText | None, Query(description="Name, email or tax id contains")] = None,
) -> Page[CustomerPublic]:
    """Sort by ``name`` (default), ``id`` or ``created_at``; prefix ``-`` for descending."""
    result = await service.list_customers(session, params=params, q=q)
    return result.to_page(_public)


@router.post("", response_model=CustomerPublic, status_code=status.HTTP_201_CREATED)
async def create_customer(
    body: CustomerCreate, _: WriteCustomers, uow: UnitOfWorkDep
) -> CustomerPublic:
    return _public(await service.create_customer(uow, data=body))


@router.get("/{customer_id}", response_model=CustomerPublic)
async def read_customer(customer: ReadableCustomer) -> CustomerPublic:
    return _public(customer)


@router.patch("/{customer_id}", response_model=CustomerPublic)
async def update_customer(
    customer_id: Id, body: CustomerUpdate, _: WriteCustomers, uow: UnitOfWorkDep
) -> CustomerPublic:
    """Change some fields; existing invoices keep their currency and dates."""
    return _public(await service.update_customer(uow, customer_id=customer_id, changes=body))


@router.delete("/{customer_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_customer(customer_id: Id, _: WriteCustomers, uow: UnitOfWorkDep) -> Response:
    """Delete a customer that has no invoices (else 409 ``customer_has_invoices``)."""
    await service.delete_customer(uow, customer_id=customer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
