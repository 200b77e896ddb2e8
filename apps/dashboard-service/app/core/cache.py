"""The summary's cache: one Redis key, deleted by every change of the read model.

The API and the event handlers of one process share one :class:`~tb_platform.cache.Cache`. The
app sets it from its settings (``use_cache``); a worker process builds it lazily from the
environment the first time a handler invalidates. Redis being down only means "not cached".
"""

from tb_platform.cache import Cache

from .config import DashboardSettings, get_settings

SUMMARY_KEY = "summary"

_cache: Cache | None = None


def cache_for(settings: DashboardSettings) -> Cache:
    """A cache on ``settings``' Redis, under its namespace, with its TTL."""
    return Cache.from_settings(settings, name="summary")


def use_cache(cache: Cache) -> None:
    """Make ``cache`` the one this process's endpoint and handlers use."""
    global _cache
    _cache = cache


def summary_cache() -> Cache:
    """This process's cache (built from the environment's settings if nobody set one)."""
    global _cache
    if _cache is None:
        _cache = cache_for(get_settings())
    return _cache


def summary_key(cache: Cache) -> str:
    return cache.key(SUMMARY_KEY)
