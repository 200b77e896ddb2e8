"""The outbox, inbox and dead-letter tables of the employee service, in its own schema."""

from tb_platform.audit import audit_table
from tb_platform.events import event_tables

from . import TableModel

EVENTS = event_tables(TableModel.metadata, source="employee-service")
# Who changed what: every change of this service's ORM rows (tb_platform.audit).
AUDIT = audit_table(TableModel.metadata)
