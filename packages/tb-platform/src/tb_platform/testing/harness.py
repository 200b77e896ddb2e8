"""Pieces of a service's conftest: rolled-back requests, an HTTP client, and signed tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from ..db import Database


@asynccontextmanager
async def rolled_back(app: FastAPI) -> AsyncIterator[AsyncConnection]:
    """Run everything the app does inside one transaction that is rolled back at the end.

    Each request's unit of work becomes a savepoint of that transaction, so commits behave as in
    production while no test leaves rows behind for the next one.
    """
    database: Database = app.state.database
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        original = database.sessionmaker
        database.sessionmaker = async_sessionmaker(
            bind=connection,
            class_=AsyncSession,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            yield connection
        finally:
            database.sessionmaker = original
            await transaction.rollback()


@asynccontextmanager
async def api_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


class TokenFactory:
    """Signs tokens the way the login endpoint does, plus the broken ones tests need."""

    def __init__(self, *, secret: str, issuer: str, audience: str) -> None:
        self.secret = secret
        self.issuer = issuer
        self.audience = audience

    def claims(
        self,
        *,
        roles: Iterable[str],
        employee_id: int | None = None,
        sub: str | None = None,
        email: str = "someone@tb-erp.test",
        # Longer than any test session: module-scoped tokens outlive a suite that runs 15 minutes
        # on a loaded machine (expiry itself is tested with an explicit lifetime).
        lifetime: timedelta = timedelta(hours=3),
        **overrides: Any,
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": sub or str(employee_id or 0),
            "employee_id": employee_id,
            "email": email,
            "roles": list(roles),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
        }
        claims.update(overrides)
        return claims

    def token(
        self, *, secret: str | None = None, headers: dict[str, Any] | None = None, **kw: Any
    ) -> str:
        return jwt.encode(
            self.claims(**kw), secret or self.secret, algorithm="HS256", headers=headers
        )

    def headers(self, *roles: str, employee_id: int | None = None, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles=roles, employee_id=employee_id, **kw)}"}
