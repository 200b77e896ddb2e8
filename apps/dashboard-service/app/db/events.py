"""The dashboard's event tables: the inbox its consumers de-duplicate on, and their dead letters.

The dashboard publishes nothing; the outbox exists because the tables come as one set.
"""

from tb_platform.audit import audit_table
from tb_platform.events import event_tables

from . import TableModel

EVENTS = event_tables(TableModel.metadata, source="dashboard-service")
# Who changed what: every change of this service's ORM rows (tb_platform.audit).
AUDIT = audit_table(TableModel.metadata)
