"""The shared package's own rules: URLs, settings, tokens, the permission table, input models."""

import datetime as dt
from typing import ClassVar

import jwt
import pytest
from pydantic import ValidationError

from tb_platform.db import async_url, sync_url
from tb_platform.errors import Unauthorized
from tb_platform.rbac import ALL, OWN, READ, WRITE, Grant, Policy
from tb_platform.schemas import PatchModel
from tb_platform.security import Principal, TokenService
from tb_platform.settings import DEVELOPMENT_JWT_SECRET, ServiceSettings

SECRET = "a-production-grade-secret-of-forty-chars!"


def test_plain_postgres_urls_get_the_driver_each_side_needs() -> None:
    url = "postgresql://erp:p%40ss@db.internal:5433/erp?sslmode=require"
    assert async_url(url) == "postgresql+asyncpg://erp:p%40ss@db.internal:5433/erp?ssl=require"
    assert sync_url(url) == "postgresql+psycopg://erp:p%40ss@db.internal:5433/erp?sslmode=require"
    socket = "postgresql://postgres:@/postgres?host=/tmp/pg"
    assert async_url(socket) == "postgresql+asyncpg://postgres:@/postgres?host=%2Ftmp%2Fpg"
    with pytest.raises(ValueError, match="postgresql://"):
        async_url("mysql://root@localhost/erp")


def test_production_refuses_the_development_or_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET must be set"):
        ServiceSettings(environment="production")
    with pytest.raises(ValidationError, match="at least 32"):
        ServiceSettings(environment="production", jwt_secret="short-secret")
    assert ServiceSettings(environment="production", jwt_secret=SECRET).jwt_secret
    assert (
        ServiceSettings(environment="development").jwt_secret.get_secret_value()
        == DEVELOPMENT_JWT_SECRET
    )


def test_jwt_keys_come_from_json_and_refuse_unknown_algorithms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JWT_KEYS", '{"k1": {"alg": "HS256", "key": "rotated-secret"}}')
    assert ServiceSettings().jwt_keys == {"k1": {"alg": "HS256", "key": "rotated-secret"}}
    monkeypatch.setenv("JWT_KEYS", '{"k1": {"alg": "none", "key": ""}}')
    with pytest.raises(ValidationError, match="not allowed"):
        ServiceSettings()


def _service(**overrides: object) -> TokenService:
    return TokenService(ServiceSettings(jwt_secret=SECRET, environment="test", **overrides))


def test_issued_tokens_verify_and_carry_the_caller() -> None:
    tokens = _service()
    token = tokens.issue(user_id="7", employee_id=7, email="a@b.test", roles=["employee", "admin"])
    principal = tokens.verify(token)
    assert principal == Principal(
        user_id="7",
        employee_id=7,
        email="a@b.test",
        roles=frozenset({"admin", "employee"}),
        token=token,
    )


def test_a_kid_header_selects_the_configured_key() -> None:
    tokens = _service(jwt_keys={"2027": {"alg": "HS256", "key": "next-years-key-" * 3}})
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": "1",
        "roles": [],
        "iss": "tb-erp",
        "aud": "tb-erp-services",
        "iat": int(now.timestamp()),
        "exp": int((now + dt.timedelta(minutes=5)).timestamp()),
    }
    good = jwt.encode(claims, "next-years-key-" * 3, headers={"kid": "2027"})
    assert tokens.verify(good).user_id == "1"
    signed_with_default = jwt.encode(claims, SECRET, headers={"kid": "2027"})
    with pytest.raises(Unauthorized):
        tokens.verify(signed_with_default)


def test_a_missing_claim_is_refused() -> None:
    token = jwt.encode({"sub": "1", "iss": "tb-erp", "aud": "tb-erp-services"}, SECRET)
    with pytest.raises(Unauthorized, match="exp"):
        _service().verify(token)


def test_the_widest_scope_of_any_role_wins() -> None:
    policy = Policy(
        {
            "employee": {"attendance": {READ: OWN, WRITE: OWN}},
            "auditor": {"attendance": {READ: ALL}},
        }
    )
    assert policy.scope_for(["employee"], "attendance", READ) is OWN
    assert policy.scope_for(["employee", "auditor"], "attendance", READ) is ALL
    assert policy.scope_for(["employee", "auditor"], "attendance", WRITE) is OWN
    assert policy.scope_for(["auditor"], "attendance", WRITE) is None
    assert policy.scope_for(["stranger"], "attendance", READ) is None


def test_an_own_grant_covers_only_the_callers_rows() -> None:
    me = Principal(user_id="5", employee_id=5, email="", roles=frozenset(), token="")
    own = Grant(principal=me, scope=OWN)
    assert own.covers(5)
    assert not own.covers(6)
    assert not own.covers(None)
    assert Grant(principal=me, scope=ALL).covers(6)
    assert own.only_employee_id == 5
    assert Grant(principal=me, scope=ALL).only_employee_id is None
    nobody = Principal(user_id="svc", employee_id=None, email="", roles=frozenset(), token="")
    assert Grant(principal=nobody, scope=OWN).only_employee_id == 0


class _Change(PatchModel):
    not_nullable: ClassVar[frozenset[str]] = frozenset({"name"})
    name: str | None = None
    note: str | None = None


def test_patch_models_tell_absent_from_null() -> None:
    assert _Change(note=None).changes() == {"note": None}
    assert _Change().changes() == {}
    with pytest.raises(ValidationError, match="may not be null"):
        _Change(name=None)
    with pytest.raises(ValidationError, match="Extra inputs"):
        _Change.model_validate({"nmae": "typo"})


def test_a_verified_token_is_remembered_only_until_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tb_platform import security

    tokens = _service()
    token = tokens.issue(user_id="7", employee_id=7, email="a@b.test", roles=["admin"])
    first = tokens.verify(token)
    # Remembered: the same Principal, without decoding again.
    monkeypatch.setattr(security.jwt, "decode", lambda *a, **k: pytest.fail("decoded again"))
    assert tokens.verify(token) is first
    monkeypatch.undo()
    # Past its expiry the memory is not used: the token is decoded, and refused as expired.
    expires = security.jwt.decode(token, options={"verify_signature": False})["exp"]
    monkeypatch.setattr(security, "_now", lambda: expires + 1)
    monkeypatch.setattr(
        security.jwt,
        "decode",
        lambda *a, **k: (_ for _ in ()).throw(
            security.jwt.ExpiredSignatureError("Signature has expired")
        ),
    )
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify(token)
    # A token that fails verification is never remembered.
    monkeypatch.undo()
    with pytest.raises(Unauthorized):
        tokens.verify(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert len(tokens._verified) == 1
