"""The invoice service's event tables and its copy of the employees, declared once.

``EVENTS``: the outbox (what this service publishes), the inbox and the dead letters (what its
consumer applied or gave up on). ``EMPLOYEES``: the projection of the employee service that an
invoice's ``employee_id`` is checked against.
"""

from tb_platform.audit import audit_table
from tb_platform.employee_directory import employee_projection_table
from tb_platform.events import event_tables

from . import TableModel

EVENTS = event_tables(TableModel.metadata, source="invoice-service")
EMPLOYEES = employee_projection_table(TableModel.metadata)
# Who changed what: every change of this service's ORM rows (tb_platform.audit).
AUDIT = audit_table(TableModel.metadata)
