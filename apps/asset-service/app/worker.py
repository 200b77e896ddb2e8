"""``asset-service worker``: the outbox relay and the consumer of the employee service's events."""

from tb_platform.employee_directory import employee_projection_handler
from tb_platform.events.worker import WorkerSpec

from .core.cache import asset_pages
from .db.events import EMPLOYEES, EVENTS
from .services.employee_events import release_assets_of_leaver

EMPLOYEE_CONSUMER = "asset-service.employees"

WORKER = WorkerSpec(
    tables=EVENTS,
    consumers={
        # In this order, in one unit of work per event: the projection, then the assets.
        EMPLOYEE_CONSUMER: [employee_projection_handler(EMPLOYEES), release_assets_of_leaver],
    },
    # A leaver's assets are returned here: the list's cached pages are stale after it.
    page_caches=lambda settings: [asset_pages(settings)],
)
