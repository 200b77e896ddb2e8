"""The service's Redis cache (REDIS_URL): one per process, a no-op when Redis is absent or down."""

from typing import Annotated

from fastapi import Depends, Request

from tb_platform.cache import Cache

from .config import EmployeeSettings


def employee_cache(settings: EmployeeSettings) -> Cache:
    return Cache.from_settings(settings, name="employees")


async def _cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


CacheDep = Annotated[Cache, Depends(_cache)]
