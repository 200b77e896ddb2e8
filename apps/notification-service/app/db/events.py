"""The service's event tables (outbox, inbox, dead letters) in ``notification_schema``."""

from tb_platform.audit import audit_table
from tb_platform.events import event_tables

from . import TableModel

EVENTS = event_tables(TableModel.metadata, source="notification-service")
# Who changed what: every change of this service's ORM rows (tb_platform.audit).
AUDIT = audit_table(TableModel.metadata)
