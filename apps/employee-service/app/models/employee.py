from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, func, text
from sqlmodel import Field, Relationship

from ..db import TableModel, created_at_field, dt, updated_at_field
from .enums import string_enum


class EmployeeStatus(StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"


class RoleName(StrEnum):
    ADMIN = "admin"
    ASSET_MANAGER = "asset_manager"
    ACCOUNTANT = "accountant"
    HR_MANAGER = "hr_manager"
    EMPLOYEE = "employee"


class EmployeeRole(TableModel, table=True):
    __tablename__ = "employee_roles"

    employee_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("employee_schema.employees.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    role_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("employee_schema.roles.id", ondelete="CASCADE"), primary_key=True
        )
    )
    granted_at: dt.datetime | None = created_at_field()


class Role(TableModel, table=True):
    __tablename__ = "roles"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    description: str = Field(default="", max_length=200)


class Employee(TableModel, table=True):
    """A person employed by the company, and (when a password is set) a login identity."""

    __tablename__ = "employees"
    __table_args__ = (
        # Emails are unique whatever their case.
        Index("uq_employees_email_lower", func.lower(text("email")), unique=True),
        Index("ix_employees_last_name_first_name", "last_name", "first_name"),
        Index("ix_employees_hire_date", "hire_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    job_title: str | None = Field(default=None, max_length=120)
    department_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("employee_schema.departments.id", ondelete="RESTRICT"), index=True
        ),
    )
    manager_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("employee_schema.employees.id", ondelete="SET NULL"), index=True
        ),
    )
    hire_date: dt.date
    status: EmployeeStatus = Field(
        default=EmployeeStatus.ACTIVE,
        sa_column=Column(
            string_enum(EmployeeStatus, "employee_status"),
            nullable=False,
            index=True,
            server_default=EmployeeStatus.ACTIVE.value,
        ),
    )
    password_hash: str | None = Field(default=None, max_length=255)
    login_enabled: bool = Field(default=False)
    # Raised on termination, role change and password change: tokens carrying an older one
    # (claim ``ver``) are refused by every service.
    token_version: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()

    roles: list[Role] = Relationship(
        link_model=EmployeeRole,
        sa_relationship_kwargs={"lazy": "selectin", "order_by": "Role.name"},
    )

    @property
    def role_names(self) -> list[str]:
        return sorted(role.name for role in self.roles)

    @property
    def can_log_in(self) -> bool:
        return (
            self.login_enabled
            and self.password_hash is not None
            and self.status != EmployeeStatus.TERMINATED
        )
