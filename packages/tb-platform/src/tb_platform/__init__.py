"""TB ERP platform: the pieces every TB ERP service shares.

Settings, the PostgreSQL engine and unit of work, JWT verification, the role → permission policy,
the error format, paging, health routes, Alembic helpers, the service command line and the pytest
harness live here once, so that no service writes them again.
"""

__version__ = "0.1.0"
