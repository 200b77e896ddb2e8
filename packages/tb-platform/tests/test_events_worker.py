"""The worker process: relay and consumers together, stopped cleanly by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from conftest import EventEnv, eventually, redis_transport

from tb_platform.db import Database
from tb_platform.events.worker import run_worker

pytestmark = pytest.mark.asyncio


async def test_the_worker_relays_and_consumes_until_sigterm_then_stops_cleanly(
    env: EventEnv, database_url: str
) -> None:
    # The worker disposes of its database and closes its transport when it stops: its own.
    database = Database.connect(database_url, pool_size=3)
    async with redis_transport() as transport:
        env_of_worker = EventEnv(database, env.schema, env.tables, env.accounts, env.effects)
        worker = asyncio.create_task(
            run_worker(
                database,
                transport,
                relay=env_of_worker.relay(transport),
                consumers=[env_of_worker.consumer(transport)],
            )
        )
        envelope = await env.hire(1)

        async def applied() -> bool:
            return await env.effect_ids() == [envelope.id]

        await eventually(applied)
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(worker, timeout=3)

    assert worker.exception() is None
    # Our own SIGTERM handling is gone again with the worker.
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, signal.default_int_handler, None)


async def test_a_worker_needs_something_to_run(database: Database) -> None:
    async with redis_transport() as transport:
        with pytest.raises(ValueError, match="relay, consumers"):
            await run_worker(database, transport)
