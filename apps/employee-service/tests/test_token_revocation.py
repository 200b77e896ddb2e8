"""Token revocation: terminating an employee, changing their roles or their password ends the
sessions they signed in with, at once; other changes leave them signed in."""

from typing import Any

import httpx
import jwt
from fastapi import FastAPI
from redis.asyncio import Redis

from tb_platform.testing import TokenFactory
from tb_platform.token_versions import TokenVersions

from .conftest import REDIS_URL, TEST_SECRET, Factory

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "staple-battery-horse"


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def version_in(headers: dict[str, str]) -> Any:
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(
        token, TEST_SECRET, algorithms=["HS256"], audience="tb-erp-services", issuer="tb-erp"
    )
    return claims.get("ver")


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.get("/api/v1/employees/me", headers=headers)


def assert_revoked(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "token_revoked"
    assert response.headers["www-authenticate"] == "Bearer"


async def stored_version(app: FastAPI, employee_id: int) -> int | None:
    versions: TokenVersions = app.state.token_versions
    redis = Redis.from_url(REDIS_URL)
    try:
        raw = await redis.get(versions.key(employee_id))
    finally:
        await redis.aclose()
    return int(raw) if raw is not None else None


async def hire_with_login(make: Factory, email: str, roles: list[str] | None = None) -> int:
    person = await make.employee(email=email, password=PASSWORD, roles=roles or ["employee"])
    employee_id: int = person["id"]
    return employee_id


async def test_login_signs_the_current_version_into_the_token_and_into_redis(
    app: FastAPI, client: httpx.AsyncClient, make: Factory
) -> None:
    employee_id = await hire_with_login(make, "ver.login@tb-erp.test")

    headers = await sign_in(client, "ver.login@tb-erp.test")

    assert version_in(headers) == 0
    assert await stored_version(app, employee_id) == 0
    assert (await me(client, headers)).status_code == 200


async def test_terminating_an_employee_revokes_their_token_at_once(
    app: FastAPI, client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    employee_id = await hire_with_login(make, "ver.leaver@tb-erp.test")
    headers = await sign_in(client, "ver.leaver@tb-erp.test")
    assert (await me(client, headers)).status_code == 200

    response = await client.delete(f"/api/v1/employees/{employee_id}", headers=admin)
    assert response.status_code == 204

    assert_revoked(await me(client, headers))
    assert await stored_version(app, employee_id) == 1


async def test_changing_roles_revokes_the_token_and_a_new_login_carries_the_new_roles(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    employee_id = await hire_with_login(make, "ver.roles@tb-erp.test", ["accountant", "employee"])
    old = await sign_in(client, "ver.roles@tb-erp.test")

    response = await client.put(
        f"/api/v1/employees/{employee_id}/roles", json={"roles": ["employee"]}, headers=admin
    )
    assert response.status_code == 200, response.text

    assert_revoked(await me(client, old))
    new = await sign_in(client, "ver.roles@tb-erp.test")
    assert version_in(new) == 1
    assert (await me(client, new)).json()["roles"] == ["employee"]


async def test_setting_the_same_roles_again_keeps_the_token(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    employee_id = await hire_with_login(make, "ver.sameroles@tb-erp.test")
    headers = await sign_in(client, "ver.sameroles@tb-erp.test")

    response = await client.put(
        f"/api/v1/employees/{employee_id}/roles", json={"roles": ["employee"]}, headers=admin
    )
    assert response.status_code == 200

    assert (await me(client, headers)).status_code == 200


async def test_changing_or_removing_the_password_revokes_the_token(
    client: httpx.AsyncClient, make: Factory, hr: dict[str, str]
) -> None:
    employee_id = await hire_with_login(make, "ver.password@tb-erp.test")
    old = await sign_in(client, "ver.password@tb-erp.test")

    response = await client.patch(
        f"/api/v1/employees/{employee_id}", json={"password": NEW_PASSWORD}, headers=hr
    )
    assert response.status_code == 200, response.text

    assert_revoked(await me(client, old))
    new = await sign_in(client, "ver.password@tb-erp.test", NEW_PASSWORD)
    assert (await me(client, new)).status_code == 200

    response = await client.patch(
        f"/api/v1/employees/{employee_id}", json={"password": None}, headers=hr
    )
    assert response.status_code == 200, response.text
    assert_revoked(await me(client, new))


async def test_an_unrelated_change_keeps_the_token(
    app: FastAPI, client: httpx.AsyncClient, make: Factory, hr: dict[str, str]
) -> None:
    employee_id = await hire_with_login(make, "ver.title@tb-erp.test")
    headers = await sign_in(client, "ver.title@tb-erp.test")

    response = await client.patch(
        f"/api/v1/employees/{employee_id}",
        json={"job_title": "Senior Engineer", "phone": "+49 30 1234"},
        headers=hr,
    )
    assert response.status_code == 200, response.text

    assert (await me(client, headers)).json()["job_title"] == "Senior Engineer"
    assert await stored_version(app, employee_id) == 0


async def test_a_token_without_a_version_counts_as_version_zero(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, admin: dict[str, str]
) -> None:
    # Tokens issued before the check existed carry no ``ver``: valid until the first change.
    person = await make.employee(email="ver.legacy@tb-erp.test", roles=["employee"])
    legacy = tokens.headers("employee", employee_id=person["id"])
    assert (await me(client, legacy)).status_code == 200

    response = await client.put(
        f"/api/v1/employees/{person['id']}/roles", json={"roles": ["accountant"]}, headers=admin
    )
    assert response.status_code == 200

    assert_revoked(await me(client, legacy))


async def test_a_version_lost_by_redis_is_read_from_the_database_and_put_back(
    app: FastAPI, client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    employee_id = await hire_with_login(make, "ver.lost@tb-erp.test")
    headers = await sign_in(client, "ver.lost@tb-erp.test")
    await client.delete(f"/api/v1/employees/{employee_id}", headers=admin)
    versions: TokenVersions = app.state.token_versions
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.delete(versions.key(employee_id))  # as if Redis had restarted empty
    finally:
        await redis.aclose()
    versions.forget()

    assert_revoked(await me(client, headers))
    assert await stored_version(app, employee_id) == 1


async def test_the_token_version_endpoint_answers_the_callers_own_version(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    employee_id = await hire_with_login(make, "ver.ask@tb-erp.test")
    headers = await sign_in(client, "ver.ask@tb-erp.test")
    await client.delete(f"/api/v1/employees/{employee_id}", headers=admin)

    # Other services ask it with the token they are checking, revoked or not.
    response = await client.get("/api/v1/auth/token-version", headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"employee_id": employee_id, "token_version": 1}
    assert (await client.get("/api/v1/auth/token-version")).status_code == 401
    assert (await client.get("/api/v1/auth/token-version", headers=admin)).status_code == 404
