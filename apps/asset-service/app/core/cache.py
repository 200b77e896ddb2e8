"""The cached pages of the asset list (tb_platform.page_cache), on the service's Redis.

A page is stale once anything writes the assets or their depreciation schedules, the two tables
a page reads. The API process keeps one :class:`PageCache` (``app.state.asset_pages``), the
worker another: each sees its own process's writes. With a read replica configured
(``DATABASE_REPLICA_URL``) the list is not cached: a page read from a replica that lags behind a
write would be stored under the generation that write started, and served as current. Nor is
the generation then kept (``tb:generation:assets``, shared with the web app, which keeps its
composed lists while it holds): the web app composes every list afresh.
"""

import hashlib
import json
from typing import Annotated

from fastapi import Depends, Request
from pydantic import TypeAdapter

from tb_platform.cache import Cache
from tb_platform.page_cache import PageCache, shared_generation_key
from tb_platform.paging import Page

from ..models import Asset, DepreciationSchedule
from ..schemas.asset import AssetPublic
from .config import AssetSettings

ASSET_PAGE = TypeAdapter(Page[AssetPublic])
# Entries written by a service whose page has another JSON schema are not read.
_SHAPE = hashlib.blake2b(
    json.dumps(ASSET_PAGE.json_schema(), sort_keys=True).encode(), digest_size=8
).hexdigest()


def asset_pages(settings: AssetSettings) -> PageCache:
    return PageCache(
        Cache.from_settings(
            settings, name="asset_pages", enabled=not settings.database_replica_url
        ),
        name="assets",
        tables=[Asset.__table__, DepreciationSchedule.__table__],  # type: ignore[attr-defined]
        shape=_SHAPE,
        # Shared: the web app keeps its composed asset lists while this generation holds.
        generation_key=shared_generation_key(settings, "assets"),
    )


async def _asset_pages(request: Request) -> PageCache:
    pages: PageCache = request.app.state.asset_pages
    return pages


AssetPagesDep = Annotated[PageCache, Depends(_asset_pages)]
