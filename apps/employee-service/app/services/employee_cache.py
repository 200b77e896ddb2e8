"""The cached batch look-up: each employee's public JSON in Redis under their id.

Other services join names through ``GET /employees?ids=…`` on almost every list they show, so
the answer for each employee is kept (``<namespace>:employee:<id>``, TTL ``cache_ttl_seconds``).
An entry is dropped when the employee changes, twice over: by the request that changed them,
right after its commit, and by the ``employee-service.cache`` consumer when the event arrives
(changes made by another process — a CLI command, another replica — and, as a second delete
shortly after the first, an entry a slow reader put back in between). The TTL is the last resort.
Each drop then replaces the employees' generation (``tb:generation:employees``): the web app
composes its answers that name employees afresh once it changed, and since the event's drop comes
last, the generation that holds in the end was started after every drop.
"""

from collections.abc import Iterable, Sequence

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.cache import Cache
from tb_platform.events.catalog import EmployeeData
from tb_platform.events.consumer import handles
from tb_platform.events.envelope import Envelope
from tb_platform.page_cache import Generation
from tb_platform.uow import UnitOfWork

from ..core.cache import employee_cache, employee_generation
from ..schemas.employee import EmployeePublic
from .employees import employees_by_ids

EMPLOYEE_EVENTS = ("employee.created", "employee.updated", "employee.deleted")


def employee_key(cache: Cache, employee_id: int) -> str:
    return cache.key("employee", employee_id)


async def public_employees_by_ids(
    session: AsyncSession, cache: Cache, *, ids: Sequence[int]
) -> list[EmployeePublic]:
    """The employees of ``ids`` in id order, unknown ids left out: cached ones from Redis, the
    rest from the database in one query (and then cached)."""
    keys = {employee_id: employee_key(cache, employee_id) for employee_id in ids}
    cached = await cache.get_many(list(keys.values()))
    found: dict[int, EmployeePublic] = {}
    for employee_id, key in keys.items():
        if key in cached:
            try:
                found[employee_id] = EmployeePublic.model_validate(cached[key], by_name=True)
            except ValidationError:
                continue  # written by another version of the service: read it again
    missing = [employee_id for employee_id in ids if employee_id not in found]
    if missing:
        loaded = [
            EmployeePublic.model_validate(employee)
            for employee in await employees_by_ids(session, ids=missing)
        ]
        await cache.set_many(
            {keys[employee.id]: employee.model_dump(mode="json") for employee in loaded}
        )
        found.update((employee.id, employee) for employee in loaded)
    return [found[employee_id] for employee_id in sorted(found)]


async def forget_employees(
    cache: Cache, employee_ids: Iterable[int], *, generation: Generation | None = None
) -> None:
    """Drop the cached copies of these employees, then start a new ``generation``."""
    ids = sorted(set(employee_ids))
    if not ids:
        return
    await cache.delete(employee_key(cache, employee_id) for employee_id in ids)
    if generation is not None:
        await generation.invalidate()


def changed_employees(events: Iterable[Envelope]) -> set[int]:
    """The employees the events (of one unit of work) are about."""
    return {EmployeeData.of(event).id for event in events if event.type in EMPLOYEE_EVENTS}


class _HandlerCache:
    """The cache the event handlers of this process clean.

    A handler gets only its unit of work and the event, so the cache is the process's own: the
    API's (a dead-letter replay runs in the API), or, in the worker, one from its settings.
    """

    cache: Cache | None = None
    generation: Generation | None = None

    def get(self) -> tuple[Cache, Generation]:
        if self.cache is None or self.generation is None:
            from ..core.config import get_settings

            settings = get_settings()
            self.cache = employee_cache(settings)
            self.generation = employee_generation(settings, self.cache)
        return self.cache, self.generation


_handler_cache = _HandlerCache()


def use_cache_in_handlers(cache: Cache, generation: Generation) -> None:
    """Make this process's event handlers clean ``cache`` and replace ``generation`` (the app
    does it with its own)."""
    _handler_cache.cache = cache
    _handler_cache.generation = generation


@handles(*EMPLOYEE_EVENTS)
async def forget_changed_employee(uow: UnitOfWork, event: Envelope) -> None:
    """An employee changed (in any process): their cached copy is stale."""
    cache, generation = _handler_cache.get()
    await forget_employees(cache, changed_employees([event]), generation=generation)
