"""customers, invoices, line items, payments, credit notes, tax records, number sequences

Revision ID: 0001
Revises:
Create Date: 2026-11-24 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "invoice_schema"


def _money(name: str, *, nullable: bool = False, zero_default: bool = False) -> sa.Column:
    """NUMERIC(14, 2): exact, two decimals (tb_platform.columns.MONEY)."""
    return sa.Column(
        name,
        sa.Numeric(precision=14, scale=2),
        server_default="0" if zero_default else None,
        nullable=nullable,
    )


def _timestamp(name: str) -> sa.Column:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _enum(name: str, *values: str) -> sa.Enum:
    """A VARCHAR(32) + CHECK column (tb_platform.columns.string_enum)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _index(table: str, *columns: str) -> None:
    op.create_index(
        op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns), unique=False, schema=SCHEMA
    )


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("billing_address", sa.String(length=1000), nullable=True),
        sa.Column("tax_id", sa.String(length=50), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), server_default="30", nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "payment_terms_days BETWEEN 0 AND 365",
            name=op.f("ck_customers_payment_terms_days_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        schema=SCHEMA,
    )
    _index("customers", "name")

    # One row per (kind, year); the issuing transaction's upsert holds its lock (gap-free).
    op.create_table(
        "number_sequences",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_value > 0", name=op.f("ck_number_sequences_last_value_positive")),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_number_sequences")),
        schema=SCHEMA,
    )

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            _enum("invoice_status", "draft", "issued", "partially_paid", "paid", "void"),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("employee_id", sa.Integer(), nullable=True),  # soft id (employee-service)
        _money("subtotal", zero_default=True),
        _money("tax_total", zero_default=True),
        _money("total", zero_default=True),
        _money("amount_paid", zero_default=True),
        _money("credited_total", zero_default=True),
        _money("balance_due", zero_default=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "CASE status WHEN 'draft' THEN number IS NULL WHEN 'void' THEN true"
            " ELSE number IS NOT NULL END",
            name=op.f("ck_invoices_number_when_issued"),
        ),
        sa.CheckConstraint(
            "balance_due = total - credited_total - amount_paid",
            name=op.f("ck_invoices_balance_consistent"),
        ),
        sa.CheckConstraint("balance_due >= 0", name=op.f("ck_invoices_balance_not_negative")),
        sa.CheckConstraint("due_date >= issue_date", name=op.f("ck_invoices_due_after_issue")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            [f"{SCHEMA}.customers.id"],
            name=op.f("fk_invoices_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        schema=SCHEMA,
    )
    # The list's filters and sorts.
    for column in ("customer_id", "due_date", "employee_id", "issue_date", "status", "total"):
        _index("invoices", column)

    op.create_table(
        "line_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        _money("unit_price"),
        sa.Column(
            "discount_percent",
            sa.Numeric(precision=5, scale=2),
            server_default="0",
            nullable=False,
        ),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=2), server_default="0", nullable=False),
        _money("net_amount"),
        _money("tax_amount"),
        _money("total"),
        sa.CheckConstraint(
            "discount_percent BETWEEN 0 AND 100",
            name=op.f("ck_line_items_discount_percent_range"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_line_items_quantity_positive")),
        sa.CheckConstraint("tax_rate BETWEEN 0 AND 100", name=op.f("ck_line_items_tax_rate_range")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_line_items_unit_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            [f"{SCHEMA}.invoices.id"],
            name=op.f("fk_line_items_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_items")),
        sa.UniqueConstraint(
            "invoice_id", "position", name=op.f("uq_line_items_invoice_id_position")
        ),
        schema=SCHEMA,
    )
    _index("line_items", "invoice_id")

    op.create_table(
        "credit_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        _money("subtotal"),
        _money("tax_total"),
        _money("total"),
        _money("refund_amount", zero_default=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _timestamp("created_at"),
        sa.CheckConstraint("refund_amount >= 0", name=op.f("ck_credit_notes_refund_not_negative")),
        sa.CheckConstraint("total > 0", name=op.f("ck_credit_notes_total_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            [f"{SCHEMA}.invoices.id"],
            name=op.f("fk_credit_notes_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notes")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_notes_number")),
        schema=SCHEMA,
    )
    _index("credit_notes", "invoice_id")
    _index("credit_notes", "issue_date")

    op.create_table(
        "credit_note_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),  # null: a credit of an amount
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=True),
        _money("unit_price", nullable=True),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        _money("net_amount"),
        _money("tax_amount"),
        _money("total"),
        sa.CheckConstraint(
            "quantity IS NULL OR quantity > 0", name=op.f("ck_credit_note_lines_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            [f"{SCHEMA}.credit_notes.id"],
            name=op.f("fk_credit_note_lines_credit_note_id_credit_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            [f"{SCHEMA}.line_items.id"],
            name=op.f("fk_credit_note_lines_line_id_line_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_note_lines")),
        schema=SCHEMA,
    )
    _index("credit_note_lines", "credit_note_id")
    _index("credit_note_lines", "line_id")

    # Refunds are negative rows of kind "refund", linked to their credit note.
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("payment_kind", "payment", "refund"), nullable=False),
        _money("amount"),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "method",
            _enum("payment_method", "bank_transfer", "card", "cash", "other"),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _timestamp("created_at"),
        sa.CheckConstraint(
            "(kind = 'payment' AND amount > 0) OR (kind = 'refund' AND amount < 0)",
            name=op.f("ck_payments_amount_sign_matches_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            [f"{SCHEMA}.credit_notes.id"],
            name=op.f("fk_payments_credit_note_id_credit_notes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            [f"{SCHEMA}.invoices.id"],
            name=op.f("fk_payments_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        schema=SCHEMA,
    )
    _index("payments", "credit_note_id")
    _index("payments", "invoice_id")
    _index("payments", "paid_at")

    op.create_table(
        "payment_idempotency_keys",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),  # sha256 of the body
        sa.Column("payment_id", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            [f"{SCHEMA}.invoices.id"],
            name=op.f("fk_payment_idempotency_keys_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            [f"{SCHEMA}.payments.id"],
            name=op.f("fk_payment_idempotency_keys_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invoice_id", "key", name=op.f("pk_payment_idempotency_keys")),
        schema=SCHEMA,
    )
    _index("payment_idempotency_keys", "payment_id")

    op.create_table(
        "tax_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", _enum("tax_source", "invoice", "credit_note", "void"), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("record_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        _money("taxable_amount"),
        _money("tax_amount"),
        _timestamp("created_at"),
        sa.CheckConstraint(
            "(source = 'credit_note') = (credit_note_id IS NOT NULL)",
            name=op.f("ck_tax_records_credit_note_source"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            [f"{SCHEMA}.credit_notes.id"],
            name=op.f("fk_tax_records_credit_note_id_credit_notes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            [f"{SCHEMA}.invoices.id"],
            name=op.f("fk_tax_records_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_records")),
        schema=SCHEMA,
    )
    _index("tax_records", "credit_note_id")
    _index("tax_records", "invoice_id")
    _index("tax_records", "record_date")


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints; children before parents.
    for table in (
        "tax_records",
        "payment_idempotency_keys",
        "payments",
        "credit_note_lines",
        "credit_notes",
        "line_items",
        "invoices",
        "number_sequences",
        "customers",
    ):
        op.drop_table(table, schema=SCHEMA)
