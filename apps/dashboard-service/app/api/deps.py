"""Dependencies shared by the endpoints."""

from typing import Annotated

from fastapi import Depends, Request

from tb_platform.cache import Cache


async def _cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


CacheDep = Annotated[Cache, Depends(_cache)]
