"""The cached batch look-up: the second call comes from Redis, a change is seen at once, the
caller's reach still applies, and without Redis every read still answers."""

import socket
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from employee_service.core.config import EmployeeSettings
from employee_service.db.events import EVENTS
from employee_service.main import create_app
from employee_service.models import Employee
from employee_service.services.employee_cache import employee_key, use_cache_in_handlers
from employee_service.worker import CACHE_CONSUMER, WORKER
from tb_platform.cache import Cache
from tb_platform.events.consumer import Consumer
from tb_platform.events.envelope import Envelope
from tb_platform.testing import TokenFactory, api_client, rolled_back
from tb_platform.testing.events import NoBroker

from .conftest import Factory

API = "/api/v1/employees"


async def batch(
    client: httpx.AsyncClient, headers: dict[str, str], *ids: int
) -> dict[int, dict[str, object]]:
    response = await client.get(API, params={"ids": ",".join(map(str, ids))}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


def counts(cache: Cache) -> tuple[int, int]:
    return cache.stats.hits, cache.stats.misses


async def generation(app: FastAPI) -> bytes | None:
    """The employees' generation in Redis (tb:generation:employees), the web app follows."""
    cache: Cache = app.state.cache
    found = await cache.get_raw([app.state.employee_generation.key])
    assert found is not None
    return found[0]


async def test_the_second_batch_look_up_is_served_from_the_cache(
    client: httpx.AsyncClient, app: FastAPI, hr: dict[str, str], make: Factory
) -> None:
    cache: Cache = app.state.cache
    one, two = await make.employee(), await make.employee()
    hits, misses = counts(cache)

    first = await batch(client, hr, one["id"], two["id"], 2_000_000_000)
    assert counts(cache) == (hits, misses + 3)  # the unknown id is a miss every time
    second = await batch(client, hr, two["id"], one["id"], 2_000_000_000)
    assert counts(cache) == (hits + 2, misses + 4)

    assert second == first
    assert list(second) == [one["id"], two["id"]]  # in id order, unknown ids left out
    assert second[one["id"]] == one  # the same JSON as the single read
    assert await cache.get(employee_key(cache, one["id"])) == one


async def test_a_change_is_seen_by_the_next_batch_look_up(
    client: httpx.AsyncClient, app: FastAPI, hr: dict[str, str], make: Factory
) -> None:
    cache: Cache = app.state.cache
    one, two = await make.employee(first_name="Before"), await make.employee()
    await batch(client, hr, one["id"], two["id"])
    assert app.state.employee_generation.key == "tb:generation:employees"
    before = await generation(app)
    assert before is not None  # started with the app

    renamed = await client.patch(f"{API}/{one['id']}", json={"first_name": "After"}, headers=hr)
    assert renamed.status_code == 200
    assert await generation(app) not in (None, before)  # replaced before the answer
    hits, misses = counts(cache)
    found = await batch(client, hr, one["id"], two["id"])

    assert found[one["id"]]["first_name"] == "After"
    assert found[one["id"]] == renamed.json()
    assert counts(cache) == (hits + 1, misses + 1)  # only the changed one was read again

    assert (await client.delete(f"{API}/{two['id']}", headers=hr)).status_code == 204
    roles = await client.put(
        f"{API}/{one['id']}/roles", json={"roles": ["employee", "accountant"]}, headers=hr
    )
    assert roles.status_code == 200
    found = await batch(client, hr, one["id"], two["id"])
    assert found[two["id"]]["status"] == "terminated"
    assert found[one["id"]]["roles"] == ["accountant", "employee"]


async def test_a_refused_change_leaves_the_cached_employee_as_it_was(
    client: httpx.AsyncClient, app: FastAPI, hr: dict[str, str], make: Factory
) -> None:
    one = await make.employee(email="taken@tb-erp.test")
    two = await make.employee()
    await batch(client, hr, two["id"])

    before = await generation(app)
    refused = await client.patch(f"{API}/{two['id']}", json={"email": one["email"]}, headers=hr)

    assert refused.status_code == 409
    cache: Cache = app.state.cache
    assert await cache.get(employee_key(cache, two["id"])) == two
    assert await generation(app) == before


async def test_an_employee_sees_only_themselves_even_when_others_are_cached(
    client: httpx.AsyncClient, tokens: TokenFactory, hr: dict[str, str], make: Factory
) -> None:
    me, colleague = await make.employee(), await make.employee()
    await batch(client, hr, me["id"], colleague["id"])  # both cached now

    mine = await batch(
        client, tokens.headers("employee", employee_id=me["id"]), me["id"], colleague["id"]
    )
    assert list(mine) == [me["id"]]
    nobody = await batch(client, tokens.headers("employee"), me["id"], colleague["id"])
    assert nobody == {}


async def test_the_cache_consumer_drops_an_employee_changed_by_another_process(
    client: httpx.AsyncClient,
    app: FastAPI,
    hr: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    person = await make.employee(first_name="Cached")
    await batch(client, hr, person["id"])
    # Another process changes the row; this one has not heard of it yet.
    await connection.execute(
        update(Employee).where(Employee.id == person["id"]).values(first_name="Elsewhere")  # type: ignore[arg-type]
    )
    assert (await batch(client, hr, person["id"]))[person["id"]]["first_name"] == "Cached"

    # Its event reaches the worker's consumer.
    payload = await connection.scalar(
        select(EVENTS.outbox.c.payload).where(EVENTS.outbox.c.subject == str(person["id"]))
    )
    consumer = Consumer(
        CACHE_CONSUMER,
        NoBroker(),
        app.state.database,
        WORKER.consumers[CACHE_CONSUMER],
        tables=EVENTS,
    )
    use_cache_in_handlers(app.state.cache, app.state.employee_generation)
    before = await generation(app)
    assert await consumer.apply(Envelope.model_validate(payload)) is True

    assert (await batch(client, hr, person["id"]))[person["id"]]["first_name"] == "Elsewhere"
    assert await generation(app) not in (None, before)


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest_asyncio.fixture(loop_scope="session")
async def without_redis(settings: EmployeeSettings, app: FastAPI) -> AsyncIterator[FastAPI]:
    """An app whose REDIS_URL points at a port nobody listens on (its test rolled back too)."""
    dead = create_app(
        settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{_dead_port()}/0"})
    )
    try:
        async with rolled_back(dead):
            yield dead
    finally:
        use_cache_in_handlers(app.state.cache, app.state.employee_generation)
        await dead.state.cache.close()
        await dead.state.database.dispose()


async def test_with_redis_down_every_read_and_write_still_answers(
    without_redis: FastAPI, admin: dict[str, str]
) -> None:
    async with api_client(without_redis) as client:
        await _reads_and_writes(client, admin)
    cache: Cache = without_redis.state.cache
    # The first read's failure, then reads leave Redis alone for a while (no timeout on every
    # call); each of the two changes still tries to replace the employees' generation, which
    # processes that reach Redis may be following.
    assert cache.stats.errors == 3
    assert cache.stats.hits == 0


async def _reads_and_writes(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    created = await client.post(
        API,
        json={"first_name": "No", "last_name": "Cache", "email": "no.cache@tb-erp.test"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    person = created.json()

    for _ in range(2):
        assert await batch(client, admin, person["id"]) == {person["id"]: person}
    assert (await client.get(f"{API}/{person['id']}", headers=admin)).json() == person

    renamed = await client.patch(f"{API}/{person['id']}", json={"last_name": "Less"}, headers=admin)
    assert renamed.status_code == 200, renamed.text
    assert (await batch(client, admin, person["id"]))[person["id"]]["last_name"] == "Less"
    assert (await client.get(API, params={"q": "Less"}, headers=admin)).json()["total"] == 1


async def test_a_replayed_dead_letter_drops_the_cached_employee_through_the_api(
    client: httpx.AsyncClient,
    app: FastAPI,
    admin: dict[str, str],
    hr: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    person = await make.employee()
    await batch(client, hr, person["id"])
    cache: Cache = app.state.cache
    payload = await connection.scalar(
        select(EVENTS.outbox.c.payload).where(EVENTS.outbox.c.subject == str(person["id"]))
    )
    letter = await connection.scalar(
        insert(EVENTS.dead_letters)
        .values(
            consumer=CACHE_CONSUMER,
            event_id=payload["id"],
            type=payload["type"],
            payload=payload,
            error="RuntimeError: Redis was away",
            attempts=5,
        )
        .returning(EVENTS.dead_letters.c.id)
    )

    assert (await client.get("/api/v1/events/dead", headers=hr)).status_code == 403
    listed = await client.get(
        "/api/v1/events/dead", params={"consumer": CACHE_CONSUMER}, headers=admin
    )
    assert [item["id"] for item in listed.json()["items"]] == [letter]
    assert await cache.get(employee_key(cache, person["id"])) is not None

    replayed = await client.post(f"/api/v1/events/dead/{letter}/replay", headers=admin)

    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["replayed_at"] is not None
    assert await cache.get(employee_key(cache, person["id"])) is None
