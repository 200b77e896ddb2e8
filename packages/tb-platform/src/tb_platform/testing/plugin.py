"""pytest plugin (entry point ``tb_platform``): the per-run database every service's tests use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .database import temporary_database


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database with a random name for this test run, dropped when the run ends."""
    with temporary_database() as url:
        yield url
