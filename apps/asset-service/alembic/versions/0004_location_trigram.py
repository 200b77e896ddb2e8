"""a trigram index on assets.location: the list's "location contains" filter

Without it a location that matches nothing (or little) was found by reading the whole register:
140 ms for a first page on a million assets, against 3.5 ms on ten thousand (bench/run.py).
As in 0001, only where the server has pg_trgm (the embedded development server has not).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 15:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "asset_schema"


def upgrade() -> None:
    trigrams = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
    )
    if trigrams:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_assets_trgm_location ON {SCHEMA}.assets "
            "USING gin (location gin_trgm_ops)"
        )


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {SCHEMA}.ix_assets_trgm_location")
