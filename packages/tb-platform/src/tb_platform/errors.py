"""One error shape for every service: ``{"detail": ..., "code": ...}``.

422 answers carry the list of failing fields (``loc``/``field``/``msg``/``type``), so a client can
put each message next to its input.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

logger = logging.getLogger("tb_platform.errors")


class AppError(Exception):
    """An error the API answers on purpose. Subclasses fix the status and the code."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        detail: Any,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.headers = headers
        # More members of the error body beside detail and code (e.g. every bad row of an import).
        self.extra = extra or {}


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, detail: Any = "Not authenticated", *, code: str | None = None) -> None:
        super().__init__(detail, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, detail: Any, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"


class InvalidField(AppError):
    """A 422 about one named input field, shaped like FastAPI's own validation errors."""

    status_code = 422
    code = "validation_error"

    def __init__(self, field: str | Sequence[str | int], message: str, *, location: str = "body"):
        loc = [location, *([field] if isinstance(field, str) else list(field))]
        super().__init__([_field_error(loc, message, "value_error")])


def _field_error(loc: Sequence[Any], message: str, error_type: str) -> dict[str, Any]:
    # ``field`` is the input's name as the client wrote it (no body/query prefix).
    field = ".".join(str(part) for part in loc[1:]) if len(loc) > 1 else str(loc[0])
    return {"loc": list(loc), "field": field, "msg": message, "type": error_type}


# What FastAPI's body parsing raises (as the cause of its 400) for a body it cannot decode.
_UNPARSABLE_BODY = (UnicodeDecodeError, RecursionError, ValueError)


def _unparsable_body(exc: StarletteHTTPException) -> JSONResponse:
    """The 422 for a body that cannot be parsed at all, whatever its media type."""
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, MultiPartException):
        # Starlette answers 400 for a multipart or form body it cannot parse (no boundary, a
        # truncated part, too many fields); to a client it is as invalid as truncated JSON.
        message, error_type = f"Form decode error: {cause.message}", "form_invalid"
    elif isinstance(cause, _UNPARSABLE_BODY):
        reason = {
            UnicodeDecodeError: "the body is not valid UTF-8",
            RecursionError: "the JSON is nested too deeply",
        }.get(type(cause), "the body is not valid JSON")
        message, error_type = f"JSON decode error: {reason}", "json_invalid"
    else:
        message, error_type = f"The body cannot be parsed: {exc.detail}", "body_invalid"
    return JSONResponse(
        error_body([_field_error(["body"], message, error_type)], "validation_error"),
        status_code=422,
    )


def error_body(detail: Any, code: str) -> dict[str, Any]:
    return {"detail": detail, "code": code}


def _pg_code(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


# deadlock_detected, serialization_failure: the database undid the transaction; a retry may pass.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def _unavailable(detail: str, code: str, *, retry_after: int | None = None) -> JSONResponse:
    """A 503 in the one error shape: something the request needs is down or busy for now."""
    headers = None if retry_after is None else {"Retry-After": str(retry_after)}
    return JSONResponse(error_body(detail, code), status_code=503, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the shared error shape."""

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 422 and not isinstance(detail, list):
            # One shape for every 422: a list of failing inputs, even when the failure is the
            # request as a whole (an empty upload, a rule across fields).
            detail = [_field_error(["body"], str(detail), exc.code)]
        return JSONResponse(
            {**error_body(jsonable_encoder(detail), exc.code), **jsonable_encoder(exc.extra)},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            _field_error(err.get("loc", ()), err.get("msg", "invalid"), err.get("type", "invalid"))
            for err in exc.errors()
        ]
        return JSONResponse(
            error_body(jsonable_encoder(errors), "validation_error"), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI and Starlette answer 400 only when they cannot read the body: JSON they
            # cannot decode (invalid UTF-8, nesting deeper than the parser's recursion limit) or
            # multipart/form data they cannot parse; truncated JSON is already a 422. One status,
            # and the one 422 shape, for every body that cannot be parsed.
            return _unparsable_body(exc)
        code = {
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            # A body over its route's limit (tb_platform.limits), or over FastAPI's own.
            413: "payload_too_large",
        }.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(exc.detail, code), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(IntegrityError)
    async def _integrity_error(_: Request, exc: IntegrityError) -> JSONResponse:
        # Domain code checks first; this is the backstop for races between two requests.
        sqlstate = _pg_code(exc)
        if sqlstate == "23505":
            return JSONResponse(
                error_body("A record with the same unique value already exists", "conflict"),
                status_code=409,
            )
        if sqlstate == "23503":
            return JSONResponse(
                error_body("The record is referenced by, or refers to, another record", "conflict"),
                status_code=409,
            )
        logger.warning("integrity error: %s", exc.orig)
        message = "The request breaks a data rule"
        return JSONResponse(
            error_body(
                [_field_error(["body"], message, "constraint_violation")], "constraint_violation"
            ),
            status_code=422,
        )

    @app.exception_handler(DataError)
    async def _data_error(_: Request, exc: DataError) -> JSONResponse:
        # Input validation should catch these first (NUL characters, numbers out of range);
        # this backstop keeps whatever slips through a client error rather than a 500.
        logger.warning("data error: %s", exc.orig)
        message = "A value is not valid for storage (out of range or malformed)"
        return JSONResponse(
            error_body([_field_error(["request"], message, "invalid_value")], "invalid_value"),
            status_code=422,
        )

    @app.exception_handler(DBAPIError)
    async def _driver_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            # The connection was lost (pg_terminate_backend, a restart, the server gone): the
            # engine has dropped it (tb_platform.db marks every lost connection), and the next
            # request takes a new one. Whatever the driver called it, it is an outage.
            return await _database_down(request, exc)
        # Drivers do not always raise DataError for SQLSTATE class 22 ("data exception": a NUL
        # byte, a value out of range); it is still the client's input, so still a 422.
        sqlstate = _pg_code(exc) or ""
        if sqlstate in _RETRYABLE_SQLSTATES:
            # A deadlock or a serialization failure: PostgreSQL rolled this transaction back
            # so that another could finish. Nothing was written; the same request can be sent
            # again.
            logger.warning("transaction rolled back by the database (%s): %s", sqlstate, exc)
            return _unavailable(
                "The change collided with another one and was not made; send it again",
                "database_conflict",
                retry_after=1,
            )
        if sqlstate.startswith("22"):
            return await _data_error(request, exc)  # type: ignore[arg-type]
        logger.exception("database error", exc_info=exc)
        return JSONResponse(error_body("Internal server error", "internal_error"), status_code=500)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_down(_: Request, exc: DBAPIError) -> JSONResponse:
        logger.error("database unavailable: %s", exc)
        return _unavailable(
            "The database is unavailable; try again shortly", "database_unavailable"
        )

    @app.exception_handler(PoolTimeout)
    async def _database_busy(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Every connection of the pool stayed taken for the whole pool timeout: overload, not
        # a fault of the request.
        logger.error("no database connection free: %s", exc)
        return _unavailable(
            "The service is too busy to answer now; try again shortly",
            "database_busy",
            retry_after=2,
        )

    @app.exception_handler(OSError)
    async def _connection_refused(_: Request, exc: OSError) -> JSONResponse:
        logger.error("connection error: %s", exc)
        return _unavailable("A backing service is unavailable; try again shortly", "unavailable")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("Internal server error", "internal_error"), status_code=500)
