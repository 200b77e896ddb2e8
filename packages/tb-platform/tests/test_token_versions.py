"""Token revocation as every service checks it: the token's ``ver`` against the employee's current
version, read from Redis (the machine's, under a prefix of this test's own) through a short cache."""

import asyncio
import datetime as dt
import os
import secrets
import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
import pytest_asyncio
from fastapi import APIRouter, FastAPI
from redis.asyncio import Redis

from tb_platform.app import create_service_app
from tb_platform.security import CurrentPrincipal, Principal
from tb_platform.settings import ServiceSettings
from tb_platform.testing import api_client
from tb_platform.token_versions import CACHE_SECONDS, TokenVersions

pytestmark = pytest.mark.asyncio

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "a-production-grade-secret-of-forty-chars!"
# Nothing listens there: a Redis that cannot be reached.
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/whoami")
    async def whoami(principal: CurrentPrincipal) -> dict[str, object]:
        return {"employee_id": principal.employee_id, "ver": principal.token_version}

    return router


def _headers(employee_id: int | None, ver: int | None = None) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, object] = {
        "sub": str(employee_id or "system:tests"),
        "employee_id": employee_id,
        "roles": ["employee"],
        "iss": "tb-erp",
        "aud": "tb-erp-services",
        "iat": int(now.timestamp()),
        "exp": int((now + dt.timedelta(minutes=5)).timestamp()),
    }
    if ver is not None:
        claims["ver"] = ver
    return {"Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"}


class FakeSource:
    """The employee service's answer, as a test decides it."""

    def __init__(self) -> None:
        self.versions: dict[int, int] = {}
        self.calls: list[int] = []
        self.broken = False

    async def __call__(self, principal: Principal) -> int | None:
        assert principal.employee_id is not None
        self.calls.append(principal.employee_id)
        if self.broken:
            raise httpx.ConnectError("the employee service is down")
        return self.versions.get(principal.employee_id)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def prefix() -> str:
    return f"tb-test:token-version:{secrets.token_hex(6)}"


@pytest_asyncio.fixture
async def redis(prefix: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def _service(prefix: str, redis_url: str = REDIS_URL) -> FastAPI:
    settings = ServiceSettings(
        service_name="thing-service",
        environment="test",
        jwt_secret=SECRET,
        database_url="postgresql://nobody@127.0.0.1:1/nothing",  # never connected
        redis_url=redis_url,
        token_version_prefix=prefix,
    )
    return create_service_app(
        settings=settings, title="Things", description="Things to test with.", routers=[_router()]
    )


@pytest_asyncio.fixture
async def service(prefix: str) -> AsyncIterator[FastAPI]:
    app = _service(prefix)
    app.state.token_versions.source = FakeSource()
    yield app
    await app.state.token_versions.close()


@pytest_asyncio.fixture
async def client(service: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(service) as http:
        yield http


def _versions(app: FastAPI) -> TokenVersions:
    versions: TokenVersions = app.state.token_versions
    return versions


async def test_a_token_of_the_current_version_is_accepted_and_an_older_one_is_revoked(
    service: FastAPI, client: httpx.AsyncClient
) -> None:
    await _versions(service).store({41: 3})

    current = await client.get("/api/v1/whoami", headers=_headers(41, ver=3))
    older = await client.get("/api/v1/whoami", headers=_headers(41, ver=2))
    unversioned = await client.get("/api/v1/whoami", headers=_headers(41))

    assert current.status_code == 200
    assert current.json() == {"employee_id": 41, "ver": 3}
    for response in (older, unversioned):
        assert response.status_code == 401
        assert response.json()["code"] == "token_revoked"
        assert response.headers["www-authenticate"] == "Bearer"


async def test_a_token_without_ver_counts_as_version_zero(
    service: FastAPI, client: httpx.AsyncClient
) -> None:
    await _versions(service).store({42: 0})
    assert (await client.get("/api/v1/whoami", headers=_headers(42))).status_code == 200


async def test_a_version_claim_that_is_not_a_plain_integer_is_an_invalid_token(
    client: httpx.AsyncClient,
) -> None:
    for ver in ("1", True, -1, 1.5):
        response = await client.get("/api/v1/whoami", headers=_headers(43, ver=ver))  # type: ignore[arg-type]
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_token"


async def test_a_service_token_has_no_version_to_check(
    service: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/api/v1/whoami", headers=_headers(None))).status_code == 200
    assert _versions(service).source.calls == []  # type: ignore[union-attr]


async def test_a_version_redis_lost_is_asked_once_and_put_back(
    service: FastAPI, client: httpx.AsyncClient, redis: Redis
) -> None:
    versions = _versions(service)
    source: FakeSource = versions.source  # type: ignore[assignment]
    source.versions[44] = 2

    assert (await client.get("/api/v1/whoami", headers=_headers(44, ver=1))).status_code == 401
    assert (await client.get("/api/v1/whoami", headers=_headers(44, ver=2))).status_code == 200

    assert source.calls == [44]
    assert await redis.get(versions.key(44)) == b"2"
    assert 0 < await redis.ttl(versions.key(44)) <= 3600 + 60


async def test_a_stored_version_is_never_lowered(service: FastAPI, redis: Redis) -> None:
    versions = _versions(service)
    await versions.store({45: 5})
    await versions.store({45: 4})  # a login that read the row before the bump, say
    assert await redis.get(versions.key(45)) == b"5"


async def test_the_in_process_cache_keeps_a_version_half_a_second_at_most(
    prefix: str, redis: Redis
) -> None:
    clock = Clock()
    source = FakeSource()
    versions = TokenVersions(
        REDIS_URL, prefix=prefix, key_ttl_seconds=60, source=source, clock=clock
    )
    try:
        await versions.store({46: 1})
        principal = Principal("46", 46, "", frozenset(), "token", token_version=1)
        await versions.check(principal)

        # Another process (the employee service) bumps the version.
        await redis.set(versions.key(46), 2)
        clock.now += CACHE_SECONDS - 0.01
        await versions.check(principal)  # still the cached 1
        clock.now += 0.02
        with pytest.raises(Exception, match="revoked") as raised:
            await versions.check(principal)
        assert getattr(raised.value, "code", None) == "token_revoked"
    finally:
        await versions.close()


async def test_the_in_process_cache_holds_a_bounded_number_of_employees(prefix: str) -> None:
    source = FakeSource()
    versions = TokenVersions(
        REDIS_URL, prefix=prefix, key_ttl_seconds=60, source=source, max_entries=3
    )
    try:
        for employee_id in range(100, 110):
            source.versions[employee_id] = 0
            await versions.check(Principal(str(employee_id), employee_id, "", frozenset(), "t"))
        assert versions.cached_entries == 3
    finally:
        await versions.close()
    with pytest.raises(ValueError, match=r"0\.5"):
        TokenVersions(REDIS_URL, prefix=prefix, key_ttl_seconds=60, cache_seconds=2)


async def test_without_redis_the_employee_service_answers_and_without_both_tokens_pass(
    prefix: str,
) -> None:
    app = _service(prefix, redis_url=DEAD_REDIS_URL)
    source = FakeSource()
    source.versions[47] = 3
    app.state.token_versions.source = source
    try:
        async with api_client(app) as client:
            revoked = await client.get("/api/v1/whoami", headers=_headers(47, ver=2))
            assert revoked.status_code == 401
            assert revoked.json()["code"] == "token_revoked"

            # Fail open: with Redis and the employee service both out of reach the signature and
            # expiry still hold, and the token's life (at most an hour) bounds the exposure.
            source.broken = True
            _versions(app).forget()
            accepted = await client.get("/api/v1/whoami", headers=_headers(47, ver=2))
            assert accepted.status_code == 200
            assert _versions(app).stats.unknown == 1
    finally:
        await app.state.token_versions.close()


async def test_a_bump_elsewhere_is_refused_here_within_a_second(
    service: FastAPI, client: httpx.AsyncClient, prefix: str
) -> None:
    headers = _headers(48, ver=0)
    await _versions(service).store({48: 0})
    assert (await client.get("/api/v1/whoami", headers=headers)).status_code == 200

    # The employee service is another process with its own connection.
    employee_service = TokenVersions(REDIS_URL, prefix=prefix, key_ttl_seconds=60)
    try:
        # The bump is in Redis before the clock starts: its 0.25 s connect timeout is meant
        # for requests, and a test machine under load can miss it once.
        plain = Redis.from_url(REDIS_URL)
        try:
            for _ in range(20):
                await employee_service.store({48: 1})
                if await plain.get(f"{prefix}:48") == b"1":
                    break
                await asyncio.sleep(0.1)
        finally:
            await plain.aclose()
        bumped = time.perf_counter()
        while (await client.get("/api/v1/whoami", headers=headers)).status_code == 200:
            assert time.perf_counter() - bumped < 1.0, "the old token was still accepted"
            await asyncio.sleep(0.02)
    finally:
        await employee_service.close()


async def test_without_redis_url_there_is_no_check() -> None:
    settings = ServiceSettings(environment="test", jwt_secret=SECRET)
    assert TokenVersions.from_settings(settings) is None
