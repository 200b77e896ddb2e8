"""The one middleware every request goes through first: request id, metrics, access log.

A pure ASGI middleware (no ``BaseHTTPMiddleware``: that one costs a task and a stream per
request). Per request it

- takes the caller's ``X-Request-ID`` (or makes one), puts it where the logs find it
  (:data:`~.logs.REQUEST_ID`), where the unit of work reads it (the request's headers) and on
  the response;
- counts the request and its duration under its route *template* (``/api/v1/assets/{asset_id}``;
  ``unmatched`` when no route matched), method and status;
- writes one access log line (method, route, status, duration_ms) when INFO is on.
"""

from __future__ import annotations

import logging
import re
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..uow import REQUEST_ID_HEADER, REQUEST_ID_PATTERN, new_request_id
from .logs import REQUEST_ID, TRACEPARENT
from .metrics import UNMATCHED, HttpMetrics

access_log = logging.getLogger("tb_platform.access")

_HEADER = REQUEST_ID_HEADER.lower().encode()
# The unit of work's rule for a client's id, on the raw header bytes.
_VALID_REQUEST_ID = re.compile(REQUEST_ID_PATTERN.pattern.encode())
_KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


class RequestObservability:
    """Request id, HTTP metrics and access log for ``app`` (see the module's docstring)."""

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self._routes: dict[Any, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        request_id: bytes | None = None
        traceparent: bytes | None = None
        headers = scope["headers"]
        for name, value in headers:
            if name == _HEADER:
                request_id = value
            elif name == b"traceparent":
                traceparent = value
        if request_id is None or not _VALID_REQUEST_ID.match(request_id):
            request_id = new_request_id().encode()
            # The unit of work reads the id from the headers: it must see this one.
            scope["headers"] = [*(h for h in headers if h[0] != _HEADER), (_HEADER, request_id)]
        request_id_text = request_id.decode()
        id_token = REQUEST_ID.set(request_id_text)
        trace_token = TRACEPARENT.set(traceparent.decode("latin-1")) if traceparent else None
        status = 500  # unless a response starts: an exception became the server's 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = message.get("headers") or []
                if not any(name.lower() == _HEADER for name, _ in response_headers):
                    message["headers"] = [*response_headers, (_HEADER, request_id)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = perf_counter() - started
            method = scope["method"]
            if method not in _KNOWN_METHODS:
                method = "OTHER"
            route = self._route_of(scope)
            self.metrics.observe(method, route, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                duration_ms = round(seconds * 1000, 2)
                access_log.info(
                    "%s %s %s %.2fms",
                    method,
                    route,
                    status,
                    duration_ms,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": duration_ms,
                    },
                )
            if trace_token is not None:
                TRACEPARENT.reset(trace_token)
            REQUEST_ID.reset(id_token)

    def _route_of(self, scope: Scope) -> str:
        """The template of the route that handled the request, after the router ran."""
        # FastAPI (0.16x) keeps the route of an included router, with its prefixes, here.
        context = scope.get("fastapi", {}).get("effective_route_context")
        if context is not None:
            path: str | None = getattr(context, "path_format", None)
            if path:
                return path
        route = scope.get("route")
        if route is not None:
            path = getattr(route, "path_format", None) or getattr(route, "path", None)
            if path:
                return path
        # The app's own routes (the docs, /metrics) only leave their endpoint behind.
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return UNMATCHED
        if self._routes is None:
            self._routes = _top_level_routes(scope.get("app"))
        return self._routes.get(endpoint, UNMATCHED)


def _top_level_routes(app: Any) -> dict[Any, str]:
    found: dict[Any, str] = {}
    for route in getattr(app, "routes", ()):
        endpoint = getattr(route, "endpoint", None) or getattr(route, "app", None)
        path = getattr(route, "path_format", None) or getattr(route, "path", None)
        if endpoint is not None and path:
            found.setdefault(endpoint, path)
    return found
