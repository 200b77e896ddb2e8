import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tb_platform.bulk import BulkRequest
from tb_platform.schemas import InputModel, PatchModel
from tb_platform.types import BusinessDate, Email, Id, trimmed

from ..models import EmployeeStatus, RoleName

Name = Annotated[str, trimmed(100)]
Phone = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=40, pattern=r"^\+?[0-9 ()./-]+$"
    ),
]
JobTitle = Annotated[str, trimmed(120)]
# Argon2 accepts any length; the upper bound only keeps hashing cheap for abusive input.
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]


class EmployeeCreate(InputModel):
    first_name: Name
    last_name: Name
    email: Email
    phone: Phone | None = None
    job_title: JobTitle | None = None
    department_id: Id | None = None
    manager_id: Id | None = None
    hire_date: BusinessDate | None = Field(default=None, description="Absent or null: today (UTC)")
    status: EmployeeStatus = EmployeeStatus.ACTIVE
    password: Password | None = Field(default=None, description="Sets a login for the employee")
    roles: list[RoleName] = Field(
        default_factory=lambda: [RoleName.EMPLOYEE], max_length=len(RoleName)
    )


class EmployeeUpdate(PatchModel):
    not_nullable: ClassVar[frozenset[str]] = frozenset(
        {"first_name", "last_name", "email", "hire_date", "status"}
    )

    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    job_title: JobTitle | None = None
    department_id: Id | None = None
    manager_id: Id | None = None
    hire_date: BusinessDate | None = None
    status: EmployeeStatus | None = None
    password: Password | None = Field(
        default=None,
        description=(
            "A new password (enables the login); null removes the login. Reactivating a "
            "terminated employee (status active) does not restore their login: send a password "
            "in the same call, or the answer says has_login false"
        ),
    )


class EmployeeBulk(BulkRequest):
    """One action on many employees, by the rules of its single-row endpoint; all or nothing."""

    action_fields = {"set_department": {"department_id": True}, "terminate": {}}

    action: Literal["set_department", "terminate"] = Field(
        description="set_department as PATCH department_id; terminate as DELETE /employees/{id}"
    )
    department_id: Id | None = Field(default=None, description="set_department: the department")


class RolesUpdate(InputModel):
    # Each role once at most: a list of 100 000 repeats is no request anyone means.
    roles: list[RoleName] = Field(max_length=len(RoleName))


class EmployeePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    first_name: str
    last_name: str
    email: str
    phone: str | None
    job_title: str | None
    department_id: int | None
    manager_id: int | None
    hire_date: dt.date
    status: EmployeeStatus
    roles: list[str] = Field(validation_alias="role_names")
    has_login: bool = Field(validation_alias="can_log_in")
    created_at: dt.datetime
    updated_at: dt.datetime


class RolePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    description: str
