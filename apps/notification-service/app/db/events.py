"""The service's event tables (outbox, inbox, dead letters) in ``notification_schema``."""

from tb_platform.events import event_tables

from . import TableModel

EVENTS = event_tables(TableModel.metadata, source="notification-service")
