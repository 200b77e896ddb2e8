"""The service's Redis cache (REDIS_URL): one per process, a no-op when Redis is absent or down.

With it, the generation of the employees' cached copies (``tb:generation:employees``,
tb_platform.page_cache.Generation): replaced each time copies are dropped (an employee changed),
so that the web app, which keeps answers naming employees, knows when to compose them afresh.
"""

from typing import Annotated

from fastapi import Depends, Request

from tb_platform.cache import Cache
from tb_platform.page_cache import Generation, shared_generation_key

from .config import EmployeeSettings


def employee_cache(settings: EmployeeSettings) -> Cache:
    return Cache.from_settings(settings, name="employees")


def employee_generation(settings: EmployeeSettings, cache: Cache) -> Generation:
    """Replaced by ``forget_employees`` (after a change's commit, and again when its event
    arrives), not by table writes: it follows exactly what the batch look-up answers."""
    return Generation(
        cache, key=shared_generation_key(settings, "employees"), tables=(), name="employees"
    )


async def _cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


async def _generation(request: Request) -> Generation:
    generation: Generation = request.app.state.employee_generation
    return generation


CacheDep = Annotated[Cache, Depends(_cache)]
GenerationDep = Annotated[Generation, Depends(_generation)]
