from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tb_platform.db import SessionDep, replica_read
from tb_platform.paging import ListParamsDep, Page
from tb_platform.types import Id, SearchText

from ....core.permissions import ReadDepartments, ReadEmployees, WriteDepartments
from ....models import Department, EmployeeStatus
from ....schemas.department import DepartmentCreate, DepartmentPublic, DepartmentUpdate
from ....schemas.employee import EmployeePublic
from ....services import departments as service
from ....services.employees import list_employees
from ...deps import UnitOfWorkDep, ValidDepartment

router = APIRouter(prefix="/departments", tags=["departments"])


def _public(department: Department) -> DepartmentPublic:
    return DepartmentPublic.model_validate(department)


@router.get("", response_model=Page[DepartmentPublic])
@replica_read
async def list_departments(
    _: ReadDepartments,
    session: SessionDep,
    params: ListParamsDep,
    q: Annotated[SearchText | None, Query(description="Name or code contains")] = None,
    parent_id: Annotated[Id | None, Query()] = None,
) -> Page[DepartmentPublic]:
    """Sort by ``name`` (default), ``id`` or ``created_at``."""
    result = await service.list_departments(session, params=params, q=q, parent_id=parent_id)
    return result.to_page(_public)


@router.post("", response_model=DepartmentPublic, status_code=status.HTTP_201_CREATED)
async def create_department(
    body: DepartmentCreate, _: WriteDepartments, uow: UnitOfWorkDep
) -> DepartmentPublic:
    return _public(await service.create_department(uow, data=body))


@router.get("/{department_id}", response_model=DepartmentPublic)
async def read_department(_: ReadDepartments, department: ValidDepartment) -> DepartmentPublic:
    return _public(department)


@router.patch("/{department_id}", response_model=DepartmentPublic)
async def update_department(
    body: DepartmentUpdate, _: WriteDepartments, department: ValidDepartment, uow: UnitOfWorkDep
) -> DepartmentPublic:
    return _public(await service.update_department(uow, department=department, changes=body))


@router.delete("/{department_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_department(
    _: WriteDepartments, department: ValidDepartment, uow: UnitOfWorkDep
) -> Response:
    """Refused with 409 while the department has employees or sub-departments."""
    await service.delete_department(uow, department=department)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{department_id}/employees", response_model=Page[EmployeePublic])
@replica_read
async def list_department_employees(
    _: ReadDepartments,
    grant: ReadEmployees,
    department: ValidDepartment,
    session: SessionDep,
    params: ListParamsDep,
    status: Annotated[EmployeeStatus | None, Query()] = None,
) -> Page[EmployeePublic]:
    result = await list_employees(
        session,
        params=params,
        department_id=department.id,
        status=status,
        only_employee_id=grant.only_employee_id,
    )
    return result.to_page(EmployeePublic.model_validate)
