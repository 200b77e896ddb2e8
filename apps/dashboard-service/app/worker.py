"""What ``dashboard-service worker`` runs: one consumer per source service, no relay.

Three consumer groups rather than one, so that an event of one service that keeps failing
(and is retried before it is dead-lettered) does not hold back the figures of the other two.
The dashboard publishes nothing, so there is no outbox to relay.
"""

from tb_platform.events.worker import WorkerSpec

from .db.events import EVENTS
from .services.handlers import asset_changed, employee_changed, invoice_changed, payment_recorded

WORKER = WorkerSpec(
    tables=EVENTS,
    consumers={
        "dashboard-service.employees": [employee_changed],
        "dashboard-service.assets": [asset_changed],
        "dashboard-service.invoices": [invoice_changed, payment_recorded],
    },
    relay=False,
)
