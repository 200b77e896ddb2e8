"""What ``invoice-service worker`` runs: the relay of this service's outbox (invoice.*,
payment.recorded), and the consumer that keeps its copy of the employees current."""

from tb_platform.employee_directory import employee_projection_handler
from tb_platform.events.worker import WorkerSpec

from .db.events import EMPLOYEES, EVENTS

EMPLOYEES_CONSUMER = "invoice-service.employees"

WORKER = WorkerSpec(
    tables=EVENTS,
    consumers={EMPLOYEES_CONSUMER: [employee_projection_handler(EMPLOYEES)]},
)
