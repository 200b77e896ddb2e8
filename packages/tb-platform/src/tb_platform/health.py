"""``GET /health`` (the process is up) and ``GET /ready`` (its database answers). No token needed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from .errors import error_body
from .rbac import PUBLIC

router = APIRouter(tags=["health"], dependencies=[PUBLIC])


@router.get("/health", summary="Liveness: the process is up")
async def health(request: Request) -> dict[str, str]:
    return {"status": "ok", "service": request.app.state.settings.service_name}


@router.get(
    "/ready", summary="Readiness: the database (and its replica) answer", response_model=None
)
async def ready(request: Request) -> dict[str, str] | JSONResponse:
    try:
        for engine in request.app.state.database.engines:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return JSONResponse(error_body("Database is not reachable", "not_ready"), status_code=503)
    return {"status": "ready", "service": request.app.state.settings.service_name}
