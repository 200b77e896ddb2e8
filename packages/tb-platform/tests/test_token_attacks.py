"""Attacks on the bearer token, against a real service app: each is refused with 401 and the one
error shape (``{"detail", "code"}`` and ``WWW-Authenticate: Bearer``), never 500 and never 200.

The app is built as every service builds it (``create_service_app``) with the revocation check on
(Redis, the machine's, under a prefix of this test's own), and a ``kid`` key table holding an
HMAC key and an RSA public key, so that the ``kid`` and algorithm-confusion cases meet the real
key selection.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, Depends, FastAPI
from redis.asyncio import Redis

from tb_platform.app import create_service_app
from tb_platform.rbac import ALL, READ, Grant, Policy
from tb_platform.security import CurrentPrincipal, Principal
from tb_platform.settings import ServiceSettings
from tb_platform.testing import api_client

pytestmark = pytest.mark.asyncio

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "the-services-shared-secret-of-forty-chars"
OTHER_SECRET = "another-systems-secret-just-as-long-as-ours"
ROTATED_SECRET = "the-rotated-key-selected-by-kid-2027-abcdef"
ISSUER, AUDIENCE = "tb-erp", "tb-erp-services"
EMPLOYEE_ID = 41
CURRENT_VERSION = 3

_RSA_PUBLIC_PEM = (
    rsa.generate_private_key(public_exponent=65537, key_size=2048)
    .public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
JWT_KEYS = {
    "k2027": {"alg": "HS256", "key": ROTATED_SECRET},
    "rsa2027": {"alg": "RS256", "key": _RSA_PUBLIC_PEM},
}

# Every code a 401 of tb-platform may carry (errors.Unauthorized's default is "unauthorized").
AUTH_CODES = {"invalid_token", "token_expired", "token_revoked", "unauthorized"}

POLICY = Policy({"admin": {"things": {READ: ALL}}, "employee": {}})
ReadThings = Annotated[Grant, Depends(POLICY.require("things", READ))]


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/whoami")
    async def whoami(principal: CurrentPrincipal) -> dict[str, object]:
        return {"sub": principal.sub, "roles": sorted(principal.roles)}

    @router.get("/things")
    async def things(grant: ReadThings) -> dict[str, object]:
        return {"all": grant.sees_all}

    return router


# --- token building -----------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: Any) -> str:
    return _b64(json.dumps(value).encode())


def _now() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp())


def _claims(**overrides: Any) -> dict[str, Any]:
    now = _now()
    claims: dict[str, Any] = {
        "sub": str(EMPLOYEE_ID),
        "employee_id": EMPLOYEE_ID,
        "email": "someone@tb-erp.test",
        "roles": ["employee"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "ver": CURRENT_VERSION,
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not _DROP}


_DROP = object()


def _signed(claims: dict[str, Any], secret: str = SECRET, **headers: Any) -> str:
    """HS256 over hand-built segments, so the header may say anything (PyJWT refuses some)."""
    header = {"alg": "HS256", "typ": "JWT", **headers}
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _hmac_with(alg: str, digest: Any, key: bytes, claims: dict[str, Any], **headers: Any) -> str:
    """A token whose header says ``alg`` but whose signature is an HMAC with ``key``."""
    signing_input = f"{_segment({'alg': alg, 'typ': 'JWT', **headers})}.{_segment(claims)}"
    return f"{signing_input}.{_b64(hmac.new(key, signing_input.encode(), digest).digest())}"


def _unsigned(claims: dict[str, Any], alg: str, signature: str = "") -> str:
    return f"{_segment({'alg': alg, 'typ': 'JWT'})}.{_segment(claims)}.{signature}"


def _tampered_payload() -> str:
    header, _, signature = _signed(_claims()).split(".")
    return f"{header}.{_segment(_claims(roles=['admin']))}.{signature}"


def _tampered_signature() -> str:
    header, payload, signature = _signed(_claims()).split(".")
    first = "B" if signature[0] != "B" else "C"
    return f"{header}.{payload}.{first}{signature[1:]}"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- the attack table ---------------------------------------------------------------------------

Attack = Callable[[], dict[str, str]]

ATTACKS: dict[str, tuple[Attack, str]] = {
    # Unsigned tokens.
    "alg none, no signature": (lambda: _bearer(_unsigned(_claims(), "none")), "invalid_token"),
    "alg none, a signature kept": (
        lambda: _bearer(_unsigned(_claims(), "none", _signed(_claims()).split(".")[2])),
        "invalid_token",
    ),
    "alg None (capitalised)": (lambda: _bearer(_unsigned(_claims(), "None")), "invalid_token"),
    "alg none, no third segment": (
        lambda: _bearer(_unsigned(_claims(), "none").rstrip(".")),
        "invalid_token",
    ),
    # Algorithm confusion: the shared secret used as the HMAC key under another algorithm's name.
    "header RS256, HMAC with the secret": (
        lambda: _bearer(_hmac_with("RS256", hashlib.sha256, SECRET.encode(), _claims())),
        "invalid_token",
    ),
    "header ES256, HMAC with the secret": (
        lambda: _bearer(_hmac_with("ES256", hashlib.sha256, SECRET.encode(), _claims())),
        "invalid_token",
    ),
    "header HS512, signed with the secret": (
        lambda: _bearer(_hmac_with("HS512", hashlib.sha512, SECRET.encode(), _claims())),
        "invalid_token",
    ),
    "header HS384, signed with the secret": (
        lambda: _bearer(_hmac_with("HS384", hashlib.sha384, SECRET.encode(), _claims())),
        "invalid_token",
    ),
    # The classic: kid of an RSA public key, HS256 with that public key's PEM as HMAC secret.
    "kid of an RS256 key, HS256 keyed with its public PEM": (
        lambda: _bearer(
            _hmac_with("HS256", hashlib.sha256, _RSA_PUBLIC_PEM.encode(), _claims(), kid="rsa2027")
        ),
        "invalid_token",
    ),
    "kid of an RS256 key, header RS256, HMAC with the secret": (
        lambda: _bearer(
            _hmac_with("RS256", hashlib.sha256, SECRET.encode(), _claims(), kid="rsa2027")
        ),
        "invalid_token",
    ),
    # kid: it selects the key, so an unknown one is refused and a known one changes the key.
    "unknown kid": (lambda: _bearer(_signed(_claims(), kid="no-such-key")), "invalid_token"),
    "empty kid": (lambda: _bearer(_signed(_claims(), kid="")), "invalid_token"),
    "kid not a string": (lambda: _bearer(_signed(_claims(), kid=["k2027"])), "invalid_token"),
    "known kid, signed with the default secret": (
        lambda: _bearer(_signed(_claims(), kid="k2027")),
        "invalid_token",
    ),
    "kid path traversal": (
        lambda: _bearer(_signed(_claims(), kid="../../etc/passwd")),
        "invalid_token",
    ),
    # Time.
    "expired": (lambda: _bearer(_signed(_claims(exp=_now() - 60))), "token_expired"),
    "expired a second ago": (lambda: _bearer(_signed(_claims(exp=_now() - 1))), "token_expired"),
    "nbf an hour ahead": (lambda: _bearer(_signed(_claims(nbf=_now() + 3600))), "invalid_token"),
    "iat an hour ahead": (lambda: _bearer(_signed(_claims(iat=_now() + 3600))), "invalid_token"),
    "exp not a number": (lambda: _bearer(_signed(_claims(exp="never"))), "invalid_token"),
    "exp infinite": (lambda: _bearer(_signed(_claims(exp=float("inf")))), "invalid_token"),
    # Tampering and foreign keys.
    "payload tampered (roles raised to admin)": (
        lambda: _bearer(_tampered_payload()),
        "invalid_token",
    ),
    "signature tampered": (lambda: _bearer(_tampered_signature()), "invalid_token"),
    "signature stripped": (
        lambda: _bearer(_signed(_claims()).rsplit(".", 1)[0] + "."),
        "invalid_token",
    ),
    "signed with another secret": (
        lambda: _bearer(_signed(_claims(), secret=OTHER_SECRET)),
        "invalid_token",
    ),
    # Issuer and audience.
    "wrong issuer": (lambda: _bearer(_signed(_claims(iss="evil-erp"))), "invalid_token"),
    "issuer as a list": (lambda: _bearer(_signed(_claims(iss=[ISSUER]))), "invalid_token"),
    "wrong audience": (lambda: _bearer(_signed(_claims(aud="other-api"))), "invalid_token"),
    "audience as an object": (
        lambda: _bearer(_signed(_claims(aud={"aud": AUDIENCE}))),
        "invalid_token",
    ),
    # Required claims.
    "missing sub": (lambda: _bearer(_signed(_claims(sub=_DROP))), "invalid_token"),
    "missing exp": (lambda: _bearer(_signed(_claims(exp=_DROP))), "invalid_token"),
    "missing iat": (lambda: _bearer(_signed(_claims(iat=_DROP))), "invalid_token"),
    "missing iss": (lambda: _bearer(_signed(_claims(iss=_DROP))), "invalid_token"),
    "missing aud": (lambda: _bearer(_signed(_claims(aud=_DROP))), "invalid_token"),
    "sub as a number": (lambda: _bearer(_signed(_claims(sub=41))), "invalid_token"),
    "sub empty": (lambda: _bearer(_signed(_claims(sub=""))), "invalid_token"),
    # Roles.
    "roles as a string": (lambda: _bearer(_signed(_claims(roles="admin"))), "invalid_token"),
    "roles holding a number": (lambda: _bearer(_signed(_claims(roles=[1]))), "invalid_token"),
    "role in capitals": (lambda: _bearer(_signed(_claims(roles=["ADMIN"]))), "invalid_token"),
    "too many roles": (
        lambda: _bearer(_signed(_claims(roles=[f"r_{'a' * (i + 1)}" for i in range(21)]))),
        "invalid_token",
    ),
    # employee_id.
    "employee_id as a string": (
        lambda: _bearer(_signed(_claims(employee_id="41"))),
        "invalid_token",
    ),
    "employee_id as a bool": (lambda: _bearer(_signed(_claims(employee_id=True))), "invalid_token"),
    "employee_id as a float": (
        lambda: _bearer(_signed(_claims(employee_id=41.0))),
        "invalid_token",
    ),
    "employee_id past int4": (
        lambda: _bearer(_signed(_claims(employee_id=2**31))),
        "invalid_token",
    ),
    "employee_id huge": (lambda: _bearer(_signed(_claims(employee_id=10**40))), "invalid_token"),
    "employee_id of 4301 digits": (
        # Past Python's int-parsing limit: the JSON parser itself refuses it.
        lambda: _bearer(
            _raw_signed(
                json.dumps(_claims(employee_id=0)).replace(
                    '"employee_id": 0', '"employee_id": ' + "9" * 4301
                )
            )
        ),
        "invalid_token",
    ),
    "employee_id zero": (lambda: _bearer(_signed(_claims(employee_id=0))), "invalid_token"),
    "employee_id negative": (lambda: _bearer(_signed(_claims(employee_id=-1))), "invalid_token"),
    "ver as a string": (lambda: _bearer(_signed(_claims(ver="3"))), "invalid_token"),
    # Malformed tokens.
    "garbage": (lambda: _bearer("not-a-token"), "invalid_token"),
    "three garbage segments": (lambda: _bearer("!!!.@@@.###"), "invalid_token"),
    "four segments": (lambda: _bearer(_signed(_claims()) + ".extra"), "invalid_token"),
    "header not an object": (
        lambda: _bearer(f"{_segment([1])}.{_segment(_claims())}.x"),
        "invalid_token",
    ),
    "header not UTF-8": (
        lambda: _bearer(_b64(b"\xff\xfe") + "." + _segment(_claims()) + ".x"),
        "invalid_token",
    ),
    "payload not an object": (lambda: _bearer(_raw_signed("[1, 2]")), "invalid_token"),
    "payload nested 100000 deep": (
        lambda: _bearer(_raw_signed("[" * 100_000 + "]" * 100_000)),
        "invalid_token",
    ),
    "crit header": (lambda: _bearer(_signed(_claims(), crit=["exp"])), "invalid_token"),
    # Size.
    "100 KB of garbage": (lambda: _bearer("A" * 100_000), "invalid_token"),
    "100 KB token, validly signed": (
        lambda: _bearer(_signed(_claims(pad="x" * 100_000))),
        "invalid_token",
    ),
    # Scheme.
    "no Authorization header": (lambda: {}, "unauthorized"),
    "Basic scheme": (
        lambda: {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()},
        "unauthorized",
    ),
    "Basic scheme carrying a valid token": (
        lambda: {"Authorization": f"Basic {_signed(_claims())}"},
        "unauthorized",
    ),
    "Bearer with no token": (lambda: {"Authorization": "Bearer"}, "unauthorized"),
    "Bearer and a space": (lambda: {"Authorization": "Bearer "}, "unauthorized"),
    "token without a scheme": (lambda: {"Authorization": _signed(_claims())}, "unauthorized"),
    "two tokens, space separated": (
        lambda: {"Authorization": f"Bearer {_signed(_claims())} {_signed(_claims())}"},
        "invalid_token",
    ),
    "two tokens, comma separated": (
        lambda: {"Authorization": f"Bearer {_signed(_claims())}, Bearer {_signed(_claims())}"},
        "invalid_token",
    ),
    # Revocation: a token older than the employee's current version.
    "revoked (an older ver)": (
        lambda: _bearer(_signed(_claims(ver=CURRENT_VERSION - 1))),
        "token_revoked",
    ),
    "revoked (no ver: counts as 0)": (
        lambda: _bearer(_signed(_claims(ver=_DROP))),
        "token_revoked",
    ),
}


def _raw_signed(payload_json: str, secret: str = SECRET) -> str:
    """A correctly signed HS256 token over a payload given as raw JSON text."""
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(payload_json.encode())}"
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


# --- the app ------------------------------------------------------------------------------------


class _Versions:
    """The employee service's answer: every employee is at CURRENT_VERSION."""

    async def __call__(self, principal: Principal) -> int | None:
        return CURRENT_VERSION


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def service() -> AsyncIterator[FastAPI]:
    prefix = f"tb-test:token-version:{secrets.token_hex(6)}"
    settings = ServiceSettings(
        service_name="thing-service",
        environment="test",
        jwt_secret=SECRET,
        jwt_keys=JWT_KEYS,
        database_url="postgresql://nobody@127.0.0.1:1/nothing",  # never connected
        redis_url=REDIS_URL,
        token_version_prefix=prefix,
    )
    app = create_service_app(
        settings=settings, title="Things", description="Things to test with.", routers=[_router()]
    )
    app.state.token_versions.source = _Versions()
    yield app
    await app.state.token_versions.close()
    redis = Redis.from_url(REDIS_URL)
    keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(service: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(service) as http:
        yield http


def _assert_refused(response: httpx.Response, code: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert set(body) == {"detail", "code"}, body
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["code"] in AUTH_CODES
    assert body["code"] == code, body
    assert response.headers["www-authenticate"] == "Bearer"


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.asyncio(loop_scope="module")
async def test_the_genuine_token_is_accepted(client: httpx.AsyncClient) -> None:
    """The control: without it every refusal below could be a broken app."""
    response = await client.get("/api/v1/whoami", headers=_bearer(_signed(_claims())))
    assert response.status_code == 200, response.text
    assert response.json() == {"sub": str(EMPLOYEE_ID), "roles": ["employee"]}
    # And PyJWT's own encoding of the same claims, which is what the login endpoint issues.
    issued = jwt.encode(_claims(), SECRET, algorithm="HS256")
    assert (await client.get("/api/v1/whoami", headers=_bearer(issued))).status_code == 200


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("name", list(ATTACKS))
async def test_an_attack_is_refused_with_401(client: httpx.AsyncClient, name: str) -> None:
    build, code = ATTACKS[name]
    headers = build()
    for path in ("/api/v1/whoami", "/api/v1/things"):
        _assert_refused(await client.get(path, headers=headers), code)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_kid_selects_its_own_key_and_only_that_one(client: httpx.AsyncClient) -> None:
    """The service does not ignore ``kid``: it picks the key, and the token must match that key
    (a kid never makes the default secret, or any other, acceptable)."""
    rotated = _signed(_claims(), secret=ROTATED_SECRET, kid="k2027")
    assert (await client.get("/api/v1/whoami", headers=_bearer(rotated))).status_code == 200
    for token in (
        _signed(_claims(), secret=ROTATED_SECRET),  # the rotated key without its kid
        _signed(_claims(), secret=SECRET, kid="k2027"),  # the kid with the default secret
        _signed(_claims(), secret=ROTATED_SECRET, kid="rsa2027"),  # another kid's entry
    ):
        _assert_refused(await client.get("/api/v1/whoami", headers=_bearer(token)), "invalid_token")


@pytest.mark.asyncio(loop_scope="module")
async def test_two_authorization_headers_are_refused(client: httpx.AsyncClient) -> None:
    """Which of two headers a proxy or framework reads is not something to rely on."""
    good = f"Bearer {_signed(_claims())}"
    for pair in ((good, good), (good, "Bearer garbage"), ("Bearer garbage", good)):
        headers = httpx.Headers([("Authorization", pair[0]), ("Authorization", pair[1])])
        _assert_refused(await client.get("/api/v1/whoami", headers=headers), "invalid_token")


@pytest.mark.asyncio(loop_scope="module")
async def test_an_unknown_role_authenticates_but_grants_nothing(client: httpx.AsyncClient) -> None:
    """Roles are each service's policy, not a closed list of tb-platform's: a well-formed role no
    policy names is a valid token (401 would lock out a role one service adds before another)
    but it opens nothing — 403 on a route that needs a permission, never 200."""
    headers = _bearer(_signed(_claims(roles=["superuser"])))
    assert (await client.get("/api/v1/whoami", headers=headers)).status_code == 200
    response = await client.get("/api/v1/things", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
