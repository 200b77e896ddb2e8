"""JWT issue and verification (the token contract all services share) and the caller dependency.

Claims: ``sub`` (user id, string), ``employee_id`` (int or null), ``email``, ``roles`` (list),
``ver`` (the employee's token version, int; absent counts as 0 — see :mod:`tb_platform.token_versions`),
``iss``, ``aud``, ``iat``, ``exp``. HS256 with JWT_SECRET by default; a ``kid`` header selects a
key from JWT_KEYS, which is where asymmetric keys go when they come.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .errors import Unauthorized
from .settings import ServiceSettings
from .types import PG_INT_MAX

if TYPE_CHECKING:
    from .token_versions import TokenVersions

# A token this system issues is well under 2 KB (at most 20 roles of 50 characters, a 254-character
# email); anything much longer is refused before it is base64-decoded and parsed.
MAX_TOKEN_LENGTH = 8192
VERIFIED_KEPT = 4_096  # verified tokens remembered per process (see TokenService.verify)
_now = time.time  # the clock of that memory (a test moves it)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the verified claims of the bearer token."""

    user_id: str
    employee_id: int | None
    email: str
    roles: frozenset[str]
    token: str
    token_version: int = 0

    @property
    def sub(self) -> str:
        """The token's subject: what ``created_by`` / ``updated_by`` columns record."""
        return self.user_id

    def has_role(self, role: str) -> bool:
        return role in self.roles


class TokenService:
    """Issues and verifies the services' access tokens."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._secret = settings.jwt_secret.get_secret_value()
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._ttl = settings.jwt_ttl_seconds
        self._keys = settings.jwt_keys
        # Tokens already verified, by their exact text, with their expiry: a client sends the
        # same token with every request, and decoding it again cost each request a few per cent.
        # Only a token that passed every check is kept, and only until it expires.
        self._verified: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    def issue(
        self,
        *,
        user_id: str,
        employee_id: int | None,
        email: str,
        roles: list[str],
        token_version: int | None = None,
        now: datetime | None = None,
    ) -> str:
        """Sign an access token for a user that has just authenticated (``token_version``: the
        employee's current one, which a later bump revokes)."""
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": user_id,
            "employee_id": employee_id,
            "email": email,
            "roles": sorted(roles),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(issued.timestamp()),
            "exp": int((issued + timedelta(seconds=self._ttl)).timestamp()),
        }
        if token_version is not None:
            claims["ver"] = token_version
        return jwt.encode(claims, self._secret, algorithm=self._algorithm)

    def _key_for(self, token: str) -> tuple[Any, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("Malformed token", code="invalid_token") from exc
        kid = header.get("kid")
        if kid is None:
            return self._secret, self._algorithm
        entry = self._keys.get(str(kid))
        if entry is None:
            raise Unauthorized("Unknown signing key", code="invalid_token")
        return entry["key"], entry["alg"]

    def verify(self, token: str) -> Principal:
        """Check signature, algorithm, expiry, issuer and audience; return the caller.

        The token version is not checked here (it needs Redis): the auth dependency
        :data:`CurrentPrincipal` does that.
        """
        known = self._verified.get(token)
        if known is not None and _now() < known[0]:
            return known[1]
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthorized("Token is too long", code="invalid_token")
        key, algorithm = self._key_for(token)
        try:
            # Only the expected algorithm is accepted, which is what refuses ``alg: none`` and
            # algorithm-confusion tokens.
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["sub", "exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Token has expired", code="token_expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"Invalid token: {exc}", code="invalid_token") from exc
        try:
            checked = _Claims.model_validate(claims)
        except ValidationError as exc:
            # A validly signed token with a malformed claim (an employee_id of ``true``, roles as
            # a string) is still not a token this system issued.
            fields = ", ".join(sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]}))
            raise Unauthorized(
                f"Invalid token claims: {fields or 'malformed'}", code="invalid_token"
            ) from exc
        principal = Principal(
            user_id=checked.sub,
            employee_id=checked.employee_id,
            email=checked.email,
            roles=frozenset(checked.roles),
            token=token,
            token_version=checked.ver,
        )
        self._verified[token] = (float(claims["exp"]), principal)
        if len(self._verified) > VERIFIED_KEPT:
            self._verified.popitem(last=False)
        return principal


class _Claims(BaseModel):
    """The claims a service reads, validated strictly: no coercion of ``true`` to 1 or "1" to 1."""

    model_config = ConfigDict(strict=True, extra="ignore")

    sub: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
    employee_id: Annotated[int, Field(ge=1, le=PG_INT_MAX)] | None = None
    email: Annotated[str, StringConstraints(max_length=254, pattern=r"^[^\x00]*$")] = ""
    roles: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,50}$")]], Field(max_length=20)
    ] = []
    ver: Annotated[int, Field(ge=0, le=PG_INT_MAX)] = 0


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/login")


async def _current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if len(request.headers.getlist("authorization")) > 1:
        # Which of two headers a proxy or the framework reads is not something to rely on.
        raise Unauthorized("More than one Authorization header", code="invalid_token")
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Not authenticated")
    tokens: TokenService = request.app.state.tokens
    principal = tokens.verify(credentials.credentials)
    versions: TokenVersions | None = getattr(request.app.state, "token_versions", None)
    if versions is not None:
        await versions.check(principal)  # 401 token_revoked
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]
