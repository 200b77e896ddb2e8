"""The bare ceiling: FastAPI + asyncpg, no auth, no ORM, running the asset list's own SQL.

``capture_asset_list_sql`` records the statements the real ``GET /api/v1/assets?limit=50`` runs
(SQLAlchemy's cursor events, in process, on the seeded database); ``python -m tbbench.ceiling``
serves them as ``GET /assets`` the way ``<service> serve`` serves a service (uvicorn, factory
mode, one worker, the same log level and proxy headers), with the service's pool size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

SQL_FILE_VARIABLE = "CEILING_SQL_FILE"


def _encode(value: Any) -> Any:
    for kind in (dt.datetime, dt.date, Decimal):
        if isinstance(value, kind):
            return {"$" + kind.__name__: str(value) if kind is Decimal else value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, raw),) = value.items()
        return {
            "$datetime": dt.datetime.fromisoformat,
            "$date": dt.date.fromisoformat,
            "$Decimal": Decimal,
        }[kind](raw)
    return value


def capture_asset_list_sql(database_url: str, secret: str, path: Path, limit: int = 50) -> int:
    """Write the statements of one asset-list request to ``path``; how many there were."""
    import asyncio

    captured = asyncio.run(_capture(database_url, secret, limit))
    path.write_text(
        json.dumps([{"sql": s, "args": [_encode(a) for a in args]} for s, args in captured])
    )
    return len(captured)


async def _capture(database_url: str, secret: str, limit: int) -> list[tuple[str, list[Any]]]:
    import logging

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from asset_service.core.config import AssetSettings
    from asset_service.main import create_app
    from tb_platform.testing import TokenFactory, api_client

    logging.getLogger("httpx").setLevel(logging.WARNING)
    # No Redis: what is captured is the page read from the database (the SQL of a cache miss).
    settings = AssetSettings(
        database_url=database_url, environment="test", jwt_secret=secret, redis_url=None
    )
    app = create_app(settings)
    headers = TokenFactory(secret=secret, issuer="tb-erp", audience="tb-erp-services").headers(
        "admin", sub="bench"
    )
    captured: list[tuple[str, list[Any]]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, list(parameters or ())))

    try:
        async with api_client(app) as client:
            url = f"/api/v1/assets?limit={limit}"
            # Warm, as under load: the pool, SQLAlchemy's statement caches, and the estimated total
            # a long list reuses for a while (tb_platform.paging) — what a request runs then is
            # what the ceiling must run.
            for _ in range(3):
                assert (await client.get(url, headers=headers)).status_code == 200
            event.listen(Engine, "before_cursor_execute", record)
            try:
                answer = await client.get(url, headers=headers)
            finally:
                event.remove(Engine, "before_cursor_execute", record)
            assert answer.status_code == 200, answer.text
    finally:
        await app.state.database.dispose()
    return captured


def create_app() -> Any:
    import asyncpg
    from fastapi import FastAPI

    from tb_platform.db import libpq_url

    statements = [
        (s["sql"], [_decode(a) for a in s["args"]])
        for s in json.loads(Path(os.environ[SQL_FILE_VARIABLE]).read_text())
    ]
    # The services' pool: DB_POOL_SIZE + DB_MAX_OVERFLOW connections per process.
    from tb_platform.settings import ServiceSettings

    defaults = ServiceSettings.model_fields
    size = int(os.environ.get("DB_POOL_SIZE", defaults["db_pool_size"].default)) + int(
        os.environ.get("DB_MAX_OVERFLOW", defaults["db_max_overflow"].default)
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        dsn = libpq_url(os.environ["DATABASE_URL"])
        async with asyncpg.create_pool(dsn, min_size=1, max_size=size) as app.state.pool:
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/assets")
    async def assets() -> list[list[dict[str, Any]]]:
        async with app.state.pool.acquire() as connection, connection.transaction():
            return [[dict(r) for r in await connection.fetch(q, *a)] for q, a in statements]

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="serve the bare asset-list ceiling")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "tbbench.ceiling:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level=os.environ.get("LOG_LEVEL", "info").lower(),
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
