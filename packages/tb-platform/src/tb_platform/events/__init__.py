"""Integration events between the services: eShop's shape, with retries, an inbox and dead letters.

- :mod:`.envelope` — the CloudEvents envelope; :mod:`.catalog` — one model per event type.
- :mod:`.outbox` — the outbox, inbox and dead-letter tables of a service, and their migration.
- :mod:`.transport` — the broker interface; :mod:`.redis_streams` and :mod:`.rabbitmq` adapters.
- :mod:`.relay` — publishes committed outbox rows; :mod:`.consumer` — applies events once;
  :mod:`.worker` — runs both in a service's worker process.

Events are published through the unit of work (:mod:`tb_platform.uow`), never directly.
The relay, consumer and worker are imported from their modules (they build on the unit of work,
which itself builds on the modules re-exported here).
"""

from .catalog import EVENT_TYPES, Amount, EventData, UnknownEventType, data_model
from .envelope import Envelope
from .outbox import (
    EventTables,
    create_event_tables,
    dead_letter_table,
    drop_event_tables,
    event_tables,
    inbox_table,
    outbox_table,
)
from .transport import Delivery, Transport, transport_from_settings

__all__ = [
    "EVENT_TYPES",
    "Amount",
    "Delivery",
    "Envelope",
    "EventData",
    "EventTables",
    "Transport",
    "UnknownEventType",
    "create_event_tables",
    "data_model",
    "dead_letter_table",
    "drop_event_tables",
    "event_tables",
    "inbox_table",
    "outbox_table",
    "transport_from_settings",
]
