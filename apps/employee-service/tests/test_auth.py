"""Login and token verification: the contract every service and the web app rely on."""

import datetime as dt

import httpx
import jwt
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tb_platform.testing import TokenFactory

from .conftest import TEST_SECRET, Factory

PASSWORD = "correct-horse-battery"


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_login_returns_a_verifiable_token_with_the_contract_claims(
    client: httpx.AsyncClient, make: Factory
) -> None:
    person = await make.employee(
        email="Grace.Hopper@tb-erp.test", password=PASSWORD, roles=["accountant", "employee"]
    )

    response = await login(client, "grace.hopper@TB-ERP.test", PASSWORD)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["user"] == {
        "id": person["id"],
        "employee_id": person["id"],
        "email": "Grace.Hopper@tb-erp.test",
        "roles": ["accountant", "employee"],
    }
    claims = jwt.decode(
        body["access_token"],
        TEST_SECRET,
        algorithms=["HS256"],
        audience="tb-erp-services",
        issuer="tb-erp",
    )
    assert claims["sub"] == str(person["id"])
    assert claims["employee_id"] == person["id"]
    assert claims["roles"] == ["accountant", "employee"]
    assert claims["exp"] - claims["iat"] == 3600

    me = await client.get(
        "/api/v1/employees/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["id"] == person["id"]


async def test_wrong_password_and_unknown_email_get_the_same_401(
    client: httpx.AsyncClient, make: Factory
) -> None:
    await make.employee(email="ada@tb-erp.test", password=PASSWORD)

    wrong_password = await login(client, "ada@tb-erp.test", "not-the-password")
    unknown_email = await login(client, "nobody@tb-erp.test", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json()["code"] == "invalid_credentials"


async def test_employee_without_password_cannot_log_in(
    client: httpx.AsyncClient, make: Factory
) -> None:
    await make.employee(email="nologin@tb-erp.test")
    assert (await login(client, "nologin@tb-erp.test", "")).status_code == 422
    assert (await login(client, "nologin@tb-erp.test", "anything-at-all")).status_code == 401


async def test_terminated_employee_can_no_longer_log_in(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    person = await make.employee(email="leaver@tb-erp.test", password=PASSWORD)
    assert (await login(client, "leaver@tb-erp.test", PASSWORD)).status_code == 200

    deleted = await client.delete(f"/api/v1/employees/{person['id']}", headers=admin)
    assert deleted.status_code == 204

    assert (await login(client, "leaver@tb-erp.test", PASSWORD)).status_code == 401


async def test_five_failures_within_a_minute_lock_the_email_until_the_minute_passes(
    client: httpx.AsyncClient, make: Factory, connection: AsyncConnection
) -> None:
    await make.employee(email="target@tb-erp.test", password=PASSWORD)
    for _ in range(5):
        assert (await login(client, "target@tb-erp.test", "guess")).status_code == 401

    locked = await login(client, "target@tb-erp.test", PASSWORD)  # even the right password
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_requests"
    assert 1 <= int(locked.headers["Retry-After"]) <= 61
    # Another email is not affected.
    assert (await login(client, "someone-else@tb-erp.test", "guess")).status_code == 401

    # Let the minute pass for the recorded failures.
    await connection.execute(
        text(
            "UPDATE employee_schema.login_failures "
            "SET failed_at = failed_at - interval '61 seconds'"
        )
    )
    assert (await login(client, "target@tb-erp.test", PASSWORD)).status_code == 200


async def test_four_failures_do_not_lock(client: httpx.AsyncClient, make: Factory) -> None:
    await make.employee(email="typo@tb-erp.test", password=PASSWORD)
    for _ in range(4):
        assert (await login(client, "typo@tb-erp.test", "guess")).status_code == 401
    assert (await login(client, "typo@tb-erp.test", PASSWORD)).status_code == 200


async def test_login_validates_its_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"email": "a@b.test"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [error["field"] for error in body["detail"]] == ["password"]


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("name", "make_token", "code"),
    [
        (
            "expired",
            lambda t: t.token(roles=["admin"], lifetime=dt.timedelta(seconds=-5)),
            "token_expired",
        ),
        (
            "wrong signature",
            lambda t: t.token(roles=["admin"], secret="another-secret-of-sufficient-length-xx"),
            "invalid_token",
        ),
        ("wrong audience", lambda t: t.token(roles=["admin"], aud="someone-else"), "invalid_token"),
        ("wrong issuer", lambda t: t.token(roles=["admin"], iss="evil"), "invalid_token"),
        (
            "alg none",
            lambda t: jwt.encode(t.claims(roles=["admin"]), None, algorithm="none"),
            "invalid_token",
        ),
        (
            "HS512 instead of HS256",
            lambda t: jwt.encode(t.claims(roles=["admin"]), TEST_SECRET * 2, algorithm="HS512"),
            "invalid_token",
        ),
        (
            "unknown kid",
            lambda t: t.token(roles=["admin"], headers={"kid": "2031-rotated"}),
            "invalid_token",
        ),
        ("garbage", lambda t: "not.a.jwt", "invalid_token"),
        (
            "roles not a list",
            lambda t: jwt.encode({**t.claims(roles=[]), "roles": "admin"}, TEST_SECRET),
            "invalid_token",
        ),
    ],
)
async def test_bad_tokens_are_refused_with_401(
    client: httpx.AsyncClient, tokens: TokenFactory, name: str, make_token, code: str
) -> None:
    response = await client.get("/api/v1/employees", headers=_headers(make_token(tokens)))
    assert response.status_code == 401, name
    assert response.json()["code"] == code
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_missing_token_is_401_and_wrong_role_is_403(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    assert (await client.get("/api/v1/employees")).status_code == 401
    basic = await client.get("/api/v1/employees", headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401
    no_roles = await client.get("/api/v1/departments", headers=tokens.headers())
    assert no_roles.status_code == 403
    assert no_roles.json()["code"] == "forbidden"
