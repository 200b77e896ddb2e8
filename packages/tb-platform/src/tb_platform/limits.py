"""What a request may carry at most, checked before a route sees it.

Two guards, both applied to every service by :func:`tb_platform.app.create_service_app`:

* :class:`BodySizeLimit`, a pure ASGI middleware: a body over its route's limit is a 413
  (``code: "payload_too_large"``). A ``Content-Length`` over the limit is refused before a byte
  of the body is read; a body without one (chunked) is counted as it arrives and refused as soon
  as it passes the limit, the rest never read. A route's limit comes from the route itself (one
  mechanism, :func:`route_body_limit`): FastAPI's own ``max_body_size=`` when the route sets
  one, else ``MAX_UPLOAD_BYTES`` (10 MiB) for a route that takes a file or a form, else
  ``MAX_BODY_BYTES`` (1 MiB). No limit is above :data:`BODY_CEILING` (10 MiB).
* :data:`SAFE_INPUT`, a dependency of every API route: no text of the request — path values,
  query parameters, JSON strings and object keys, form fields — may hold a NUL character
  (PostgreSQL cannot store one) or be longer than :data:`MAX_TEXT_LENGTH`; a JSON body may not
  hold a number that is not one (``NaN``, ``Infinity``), that overflows (``1e400``) or vanishes
  (``1e-400``) in a float, an integer beyond 64 bits, or nest deeper than
  :data:`MAX_JSON_DEPTH`. Each is a 422 naming the input, in the shape of every other 422.

Field types keep their own, tighter bounds (``trimmed(200)``, ``Money``, ``Id``); these guards
are the floor under every route, including a field someone forgets to bound.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request, params
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_body
from .query_params import route_dependant

__all__ = [
    "BODY_CEILING",
    "DEFAULT_BODY_LIMIT",
    "DEFAULT_UPLOAD_LIMIT",
    "FORM_LIMITS",
    "MAX_JSON_DEPTH",
    "MAX_TEXT_LENGTH",
    "SAFE_INPUT",
    "BodySizeLimit",
    "PayloadTooLarge",
    "body_limit_of",
    "check_input",
    "route_body_limit",
]

KIB = 1024
MIB = 1024 * KIB
BODY_CEILING = 10 * MIB
DEFAULT_BODY_LIMIT = 1 * MIB
DEFAULT_UPLOAD_LIMIT = 10 * MIB
# Starlette's multipart parser: an upload route takes one file or a few; a form's text field is
# short. (Starlette's own defaults are 1000 files, 1000 fields and 1 MiB a field.)
FORM_LIMITS: dict[str, int] = {"max_files": 10, "max_fields": 50, "max_part_size": 64 * KIB}

# Longer than any text field of the API (the longest, notes and descriptions, take 5000).
MAX_TEXT_LENGTH = 20_000
# No body of the API nests deeper than a few levels (an invoice, its lines, their fields).
MAX_JSON_DEPTH = 32
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# The most errors one 422 lists: a body with a million bad strings gets a short answer.
MAX_ERRORS = 20


def _size(limit: int) -> str:
    if limit >= MIB and limit % MIB == 0:
        return f"{limit // MIB} MiB ({limit} bytes)"
    if limit >= KIB and limit % KIB == 0:
        return f"{limit // KIB} KiB ({limit} bytes)"
    return f"{limit} bytes"


class PayloadTooLarge(StarletteHTTPException):
    """The body passed its route's limit (raised by the body's ``receive`` as it streams)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413,
            detail=f"The request body is larger than {_size(limit)}, the most this endpoint takes",
        )
        self.limit = limit


def _too_large_response(limit: int) -> JSONResponse:
    # The rest of the body is never read: the connection cannot carry another request.
    return JSONResponse(
        error_body(PayloadTooLarge(limit).detail, "payload_too_large"),
        status_code=413,
        headers={"Connection": "close"},
    )


def _body_params(dependant: Dependant) -> list[Any]:
    found: list[Any] = []
    pending = [dependant]
    while pending:
        current = pending.pop()
        found.extend(current.body_params)
        pending.extend(current.dependencies)
    return found


def _takes_form(dependant: Dependant | None) -> bool:
    """Whether the route reads a multipart or urlencoded form (a file upload) as its body."""
    if dependant is None:
        return False
    return any(isinstance(param.field_info, params.Form) for param in _body_params(dependant))


def route_body_limit(route: Any, *, body_limit: int, upload_limit: int) -> int:
    """The body limit of ``route``: its own ``max_body_size`` (FastAPI's route parameter) when
    it sets one, else ``upload_limit`` when it takes a file or a form, else ``body_limit``;
    never more than :data:`BODY_CEILING`."""
    declared = getattr(route, "max_body_size", None)
    if isinstance(declared, int) and not isinstance(declared, bool):
        limit = declared
    elif _takes_form(getattr(route, "dependant", None)):
        limit = upload_limit
    else:
        limit = body_limit
    return min(limit, BODY_CEILING)


@dataclass(frozen=True)
class _Route:
    """A route as the middleware matches it (before the router does)."""

    pattern: re.Pattern[str]
    methods: frozenset[str]
    route: Any


def _limits_of_settings(settings: Any) -> tuple[int, int]:
    return (
        int(getattr(settings, "max_body_bytes", DEFAULT_BODY_LIMIT)),
        int(getattr(settings, "max_upload_bytes", DEFAULT_UPLOAD_LIMIT)),
    )


def _routes(routes: Iterable[Any]) -> list[_Route]:
    """The app's routes in the router's order (the first that matches is the one that runs)."""
    found = []
    for route in iter_route_contexts(list(routes)):
        pattern = getattr(route, "path_regex", None)
        methods = getattr(route, "methods", None)
        if pattern is not None and methods:
            found.append(_Route(pattern, frozenset(methods), route))
    return found


def _limit_for(routes: Sequence[_Route], method: str, path: str, settings: Any) -> int:
    body_limit, upload_limit = _limits_of_settings(settings)
    for candidate in routes:
        if method in candidate.methods and candidate.pattern.match(path):
            return route_body_limit(
                candidate.route, body_limit=body_limit, upload_limit=upload_limit
            )
    # No route (a 404 or a 405 to come): the default, which no body needs to pass.
    return min(body_limit, BODY_CEILING)


def body_limit_of(app: FastAPI, method: str, path: str) -> int:
    """The body limit ``app`` applies to ``method`` on ``path`` (a route's path or a URL path)."""
    path = re.sub(r"\{[^}/]+\}", "1", path)
    return _limit_for(_routes(app.routes), method, path, app.state.settings)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


class BodySizeLimit:
    """Pure ASGI middleware: 413 for a body over its route's limit, without reading past it.

    The limits are read per request from the app's settings (``MAX_BODY_BYTES``,
    ``MAX_UPLOAD_BYTES``); the app's routes are listed once, at the first request, and matched
    as the router will match them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: list[_Route] | None = None

    def _limit(self, scope: Scope) -> int:
        application = scope.get("app")
        if self._routes is None:
            self._routes = _routes(getattr(application, "routes", ()))
        settings = getattr(getattr(application, "state", None), "settings", None)
        return _limit_for(self._routes, scope["method"], _route_path(scope), settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large_response(limit)(scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise PayloadTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise PayloadTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                # Whatever the app made of the failed read (our handler's 413, a parser's 400),
                # the answer is the one 413 sent below.
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await _too_large_response(limit)(scope, receive, send)


# -- the text and numbers of every request ---------------------------------------------------


class _BadNumber:
    """A number of a JSON body that Python's parser reads but no field may take."""

    def __init__(self, text: str, message: str) -> None:
        self.text = text
        self.message = message


def _parse_float(text: str) -> Any:
    value = float(text)
    if math.isinf(value):
        return _BadNumber(text, "is too large a number")
    mantissa = text.lower().partition("e")[0]
    if value == 0.0 and any(digit in mantissa for digit in "123456789"):
        # 1e-400 is not 0, but it is 0.0 once read: refused rather than silently zeroed.
        return _BadNumber(text, "is too small a number to tell from zero")
    return value


def _parse_constant(text: str) -> Any:
    return _BadNumber(text, f"must be a finite number ({text} is not a JSON number)")


def _error(loc: Sequence[Any], message: str, error_type: str) -> dict[str, Any]:
    return {"type": error_type, "loc": tuple(loc), "msg": message, "input": None}


def _text_errors(loc: Sequence[Any], value: str) -> Iterator[dict[str, Any]]:
    if "\x00" in value:
        yield _error(loc, "must not contain a NUL character (\\u0000)", "string_nul")
    if len(value) > MAX_TEXT_LENGTH:
        yield _error(
            loc, f"String should have at most {MAX_TEXT_LENGTH} characters", "string_too_long"
        )


def _json_errors(tree: Any) -> Iterator[dict[str, Any]]:
    """Every unstorable value of a parsed JSON body, with its location (iteratively: a deep
    body must not exhaust the stack here either)."""
    pending: list[tuple[Any, tuple[Any, ...]]] = [(tree, ("body",))]
    while pending:
        value, loc = pending.pop()
        if len(loc) - 1 > MAX_JSON_DEPTH:
            yield _error(loc, f"nests deeper than {MAX_JSON_DEPTH} levels", "json_too_deep")
            continue
        if isinstance(value, str):
            yield from _text_errors(loc, value)
        elif isinstance(value, _BadNumber):
            yield _error(loc, value.message, "finite_number")
        elif isinstance(value, int) and not isinstance(value, bool):
            if not INT64_MIN <= value <= INT64_MAX:
                yield _error(loc, "is out of range (beyond a 64-bit integer)", "int_out_of_range")
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                yield from _text_errors((*loc, key), key)
                pending.append((item, (*loc, key)))
        elif isinstance(value, list):
            pending.extend(
                (item, (*loc, index)) for index, item in reversed(list(enumerate(value)))
            )


def _is_json(content_type: str | None) -> bool:
    # As FastAPI decides: no content type, application/json or application/*+json.
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def check_input(request: Request) -> None:
    """A dependency: 422 naming each input that holds a NUL character, a text over
    :data:`MAX_TEXT_LENGTH` characters, or (in a JSON body) a number that is not a finite
    float or a 64-bit integer, or nesting deeper than :data:`MAX_JSON_DEPTH`."""
    errors: list[dict[str, Any]] = []
    for name, value in request.path_params.items():
        if isinstance(value, str):
            errors.extend(_text_errors(("path", name), value))
    for name, value in request.query_params.multi_items():
        errors.extend(_text_errors(("query", name), name))
        errors.extend(_text_errors(("query", name), value))
    dependant = route_dependant(request)
    if dependant is not None and _body_params(dependant):
        if _takes_form(dependant):
            form = await request.form(**FORM_LIMITS)  # parsed already: FastAPI's copy
            for name, value in form.multi_items():
                errors.extend(_text_errors(("body", name), name))
                if isinstance(value, UploadFile):
                    errors.extend(_text_errors(("body", name), value.filename or ""))
                else:
                    errors.extend(_text_errors(("body", name), value))
        elif _is_json(request.headers.get("content-type")):
            raw = await request.body()  # read (and kept) by FastAPI before any dependency
            if raw:
                errors.extend(_json_errors(_parse(raw)))
    if errors:
        unique = list({(e["loc"], e["type"]): e for e in errors}.values())
        raise RequestValidationError(unique[:MAX_ERRORS])


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw, parse_float=_parse_float, parse_constant=_parse_constant)
    except (ValueError, RecursionError):
        # FastAPI parsed the same bytes already; should they fail here, its answer stands.
        return None


SAFE_INPUT = Depends(check_input)
"""For ``include_router(..., dependencies=[SAFE_INPUT])``: applied to every API route."""
