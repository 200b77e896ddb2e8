"""What ``employee-service worker`` runs: the relay of this service's outbox, and the consumer
that drops the cached copy of an employee when an event says they changed."""

from tb_platform.events.worker import WorkerSpec

from .db.events import EVENTS
from .services.employee_cache import forget_changed_employee

CACHE_CONSUMER = "employee-service.cache"

WORKER = WorkerSpec(tables=EVENTS, consumers={CACHE_CONSUMER: [forget_changed_employee]})
