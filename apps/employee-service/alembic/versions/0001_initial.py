"""employees, departments, roles, attendance, login failures

Revision ID: 0001
Revises:
Create Date: 2026-11-24 19:28:34.593798
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["employee_schema.departments.id"],
            name=op.f("fk_departments_parent_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_departments_code")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
        schema="employee_schema",
    )
    op.create_index(
        op.f("ix_departments_manager_id"),
        "departments",
        ["manager_id"],
        unique=False,
        schema="employee_schema",
    )
    op.create_index(
        op.f("ix_departments_parent_id"),
        "departments",
        ["parent_id"],
        unique=False,
        schema="employee_schema",
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
        schema="employee_schema",
    )
    op.create_index(
        "ix_login_failures_email_failed_at",
        "login_failures",
        ["email", "failed_at"],
        unique=False,
        schema="employee_schema",
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("name", name=op.f("uq_roles_name")),
        schema="employee_schema",
    )
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("job_title", sa.String(length=120), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "on_leave",
                "terminated",
                name="employee_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="active",
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("login_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["employee_schema.departments.id"],
            name=op.f("fk_employees_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["employee_schema.employees.id"],
            name=op.f("fk_employees_manager_id_employees"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employees")),
        schema="employee_schema",
    )
    op.create_index(
        op.f("ix_employees_department_id"),
        "employees",
        ["department_id"],
        unique=False,
        schema="employee_schema",
    )
    op.create_index(
        "ix_employees_hire_date", "employees", ["hire_date"], unique=False, schema="employee_schema"
    )
    op.create_index(
        "ix_employees_last_name_first_name",
        "employees",
        ["last_name", "first_name"],
        unique=False,
        schema="employee_schema",
    )
    op.create_index(
        op.f("ix_employees_manager_id"),
        "employees",
        ["manager_id"],
        unique=False,
        schema="employee_schema",
    )
    op.create_index(
        op.f("ix_employees_status"), "employees", ["status"], unique=False, schema="employee_schema"
    )
    op.create_index(
        "uq_employees_email_lower",
        "employees",
        [sa.literal_column("lower(email)")],
        unique=True,
        schema="employee_schema",
    )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("check_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worked_hours", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "present",
                "absent",
                "leave",
                "remote",
                name="attendance_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "check_out_at IS NULL OR (check_in_at IS NOT NULL AND check_out_at >= check_in_at)",
            name=op.f("ck_attendance_check_out_after_check_in"),
        ),
        sa.CheckConstraint(
            "worked_hours IS NULL OR worked_hours >= 0",
            name=op.f("ck_attendance_worked_hours_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee_schema.employees.id"],
            name=op.f("fk_attendance_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("employee_id", "date", name=op.f("uq_attendance_employee_id_date")),
        schema="employee_schema",
    )
    # departments.manager_id and employees.department_id refer to each other: this FK comes last.
    op.create_foreign_key(
        op.f("fk_departments_manager_id_employees"),
        "departments",
        "employees",
        ["manager_id"],
        ["id"],
        source_schema="employee_schema",
        referent_schema="employee_schema",
        ondelete="SET NULL",
    )
    op.create_index(
        op.f("ix_attendance_date"), "attendance", ["date"], unique=False, schema="employee_schema"
    )
    op.create_table(
        "employee_roles",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee_schema.employees.id"],
            name=op.f("fk_employee_roles_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["employee_schema.roles.id"],
            name=op.f("fk_employee_roles_role_id_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("employee_id", "role_id", name=op.f("pk_employee_roles")),
        schema="employee_schema",
    )
    roles = sa.table(
        "roles",
        sa.column("name", sa.String),
        sa.column("description", sa.String),
        schema="employee_schema",
    )
    op.bulk_insert(
        roles,
        [
            {"name": "admin", "description": "Full access everywhere"},
            {"name": "asset_manager", "description": "Assets: full; employees: read"},
            {"name": "accountant", "description": "Invoices: full; assets and employees: read"},
            {"name": "hr_manager", "description": "Employees: full; assets and invoices: read"},
            {"name": "employee", "description": "Only their own records"},
        ],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_departments_manager_id_employees"),
        "departments",
        schema="employee_schema",
        type_="foreignkey",
    )
    op.drop_table("employee_roles", schema="employee_schema")
    op.drop_index(op.f("ix_attendance_date"), table_name="attendance", schema="employee_schema")
    op.drop_table("attendance", schema="employee_schema")
    op.drop_index("uq_employees_email_lower", table_name="employees", schema="employee_schema")
    op.drop_index(op.f("ix_employees_status"), table_name="employees", schema="employee_schema")
    op.drop_index(op.f("ix_employees_manager_id"), table_name="employees", schema="employee_schema")
    op.drop_index(
        "ix_employees_last_name_first_name", table_name="employees", schema="employee_schema"
    )
    op.drop_index("ix_employees_hire_date", table_name="employees", schema="employee_schema")
    op.drop_index(
        op.f("ix_employees_department_id"), table_name="employees", schema="employee_schema"
    )
    op.drop_table("employees", schema="employee_schema")
    op.drop_table("roles", schema="employee_schema")
    op.drop_index(
        "ix_login_failures_email_failed_at", table_name="login_failures", schema="employee_schema"
    )
    op.drop_table("login_failures", schema="employee_schema")
    op.drop_index(
        op.f("ix_departments_parent_id"), table_name="departments", schema="employee_schema"
    )
    op.drop_index(
        op.f("ix_departments_manager_id"), table_name="departments", schema="employee_schema"
    )
    op.drop_table("departments", schema="employee_schema")
