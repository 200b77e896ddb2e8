"""one customer per tax id: unique index on the tax id without whitespace, upper-cased

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "invoice_schema"
# invoice_service.models.customer.tax_id_key, spelled out: a migration does not import the app.
KEY = r"upper(regexp_replace(tax_id, '\s', '', 'g'))"
# Customers sharing a key, if any (built from the constants above only).
SHARED_TAX_IDS = (
    f"SELECT {KEY} AS key, string_agg(id::text || ' ' || name, '; ' ORDER BY id)"  # noqa: S608
    f" FROM {SCHEMA}.customers WHERE tax_id IS NOT NULL"
    f" GROUP BY {KEY} HAVING count(*) > 1 ORDER BY 1"
)


def upgrade() -> None:
    # Customers entered before the rule may share a tax id. Merging them is a business decision
    # (each may have invoices), so the migration stops and names them rather than guess.
    clashes = op.get_bind().execute(sa.text(SHARED_TAX_IDS)).all()
    if clashes:
        listed = "\n".join(f"  {key}: {customers}" for key, customers in clashes)
        raise RuntimeError(
            "Customers share a tax id; give each its own (or clear the duplicates) and migrate"
            f" again:\n{listed}"
        )
    op.create_index(
        "uq_customers_tax_id_key",
        "customers",
        [sa.text(KEY)],
        unique=True,
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_index("uq_customers_tax_id_key", table_name="customers", schema=SCHEMA)
