"""Logs: one JSON object per line on stdout in production, readable lines in development.

Every line carries the service, the request id of the request (or event) being handled and,
when there is one, its trace id. Whatever a log call passes, secrets do not reach the output:
:class:`RedactingFilter` masks bearer tokens, JWTs, passwords in URLs, ``password=…``-style
pairs, the values of sensitive keys in ``extra``, and the literal secrets of the settings.

``LOG_FORMAT=json|text`` chooses the format; without it, production and staging write JSON,
development and test text. ``LOG_LEVEL`` is the settings' ``log_level``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import IO, Any
from urllib.parse import unquote, urlsplit

REQUEST_ID: ContextVar[str | None] = ContextVar("tb_platform_request_id", default=None)
"""The id of the request (or, in a consumer, the event) this task is working on."""

TRACEPARENT: ContextVar[str | None] = ContextVar("tb_platform_traceparent", default=None)
"""The caller's ``traceparent`` header: the trace id logs carry while tracing is off here."""

MASK = "***"
_MIN_SECRET = 8  # shorter "secrets" (a test's "pw") would mask ordinary words everywhere

_SENSITIVE_KEY = re.compile(
    r"(?i)(pass(word|wd)?|pwd|secret|token|api[_-]?key|authori[sz]ation|cookie|credential|"
    r"private[_-]?key|session[_-]?id)"
)
# ``password=…``, ``"token": "…"``, ``Authorization: …`` inside a message.
_PAIR = re.compile(
    r"""(?ix)
    (["']?[\w-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|authori[sz]ation|
      cookie|credential)[\w-]*["']?\s*[:=]\s*)
    (?:bearer\s+|basic\s+)?
    ("[^"]*"|'[^']*'|[^\s,;&}\]]+)
    """
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/?#\s@]*):[^@/?#\s]+@")
_ANY = re.compile(
    r"(?i)bearer|basic\s|eyJ|://[^\s@/]*:[^\s@/]*@|pass|pwd|secret|token|api[_-]?key|"
    r"authori[sz]ation|cookie|credential"
)

# The attributes every LogRecord has: anything else came from ``extra`` (except uvicorn's
# ``color_message``, the message again with terminal colour codes).
_STANDARD = frozenset(
    {
        *logging.LogRecord("", 0, "", 0, "", None, None).__dict__,
        "message",
        "asctime",
        "taskName",
        "color_message",
    }
)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with tokens, passwords and the given literal ``secrets`` replaced by ``***``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    if not _ANY.search(text):
        return text
    text = _URL_PASSWORD.sub(rf"\1:{MASK}@", text)
    text = _PAIR.sub(rf"\1{MASK}", text)
    text = _BEARER.sub(rf"\1 {MASK}", text)
    return _JWT.sub(MASK, text)


def redact_value(value: Any, secrets: Iterable[str] = (), *, depth: int = 0) -> Any:
    """``value`` (an ``extra`` value: text, mapping, sequence…) with its secrets masked."""
    if isinstance(value, str):
        return redact_text(value, secrets)
    if depth > 5:
        return value
    if isinstance(value, Mapping):
        return {
            key: MASK
            if isinstance(key, str) and _SENSITIVE_KEY.search(key)
            else redact_value(item, secrets, depth=depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(item, secrets, depth=depth + 1) for item in value]
    return value


TRUSTED_LOGGERS = frozenset({"tb_platform.access"})
"""Loggers whose lines are made only of values that cannot hold a secret — the access log's
method (from a closed set), route template, status and duration — and skip the redaction: they
are written once per request."""


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, exception, stack and ``extra`` values, in place,
    before any formatter sees it. ``secrets`` are literal values (the JWT key, passwords)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len))[::-1]
        self._sensitive_keys: dict[str, bool] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in TRUSTED_LOGGERS:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it; keep the raw text
            message = str(record.msg)
        # Formatted once here, so the formatters (and other handlers) do not format it again.
        record.msg = redact_text(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(
                "".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), self.secrets
            )
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info, self.secrets)
        fields = record.__dict__
        for key in fields.keys() - _STANDARD:
            if self._sensitive(key):
                fields[key] = MASK
            else:
                value = fields[key]
                if not isinstance(value, int | float | bool | type(None)):
                    fields[key] = redact_value(value, self.secrets)
        return True

    def _sensitive(self, key: str) -> bool:
        known = self._sensitive_keys.get(key)
        if known is None:
            known = self._sensitive_keys[key] = bool(_SENSITIVE_KEY.search(key))
        return known


TraceIds = Callable[[], tuple[str, str | None] | None]


def header_trace_ids() -> tuple[str, str | None] | None:
    """The trace id of the caller's ``traceparent`` (no span id: this service made none)."""
    header = TRACEPARENT.get()
    if header is None:
        return None
    parts = header.split("-")
    return (parts[1], None) if len(parts) == 4 and len(parts[1]) == 32 else None


_trace_ids: TraceIds = header_trace_ids


def use_trace_ids(source: TraceIds) -> None:
    """Where log lines get their trace and span ids (tracing, once on, sets its own)."""
    global _trace_ids
    _trace_ids = source


def current_trace_ids() -> tuple[str, str | None] | None:
    """The (trace id, span id) log lines carry now, or None."""
    return _trace_ids()


_last_second: tuple[int, str] = (-1, "")


def _utc_time(created: float) -> str:
    # strftime once per second, not once per line.
    global _last_second
    seconds = int(created)
    if _last_second[0] != seconds:
        _last_second = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    return f"{_last_second[1]}.{int((created - seconds) * 1000):03d}Z"


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, service, request_id,
    trace_id/span_id, exc_info, and the record's ``extra`` fields."""

    def __init__(self, service: str, trace_ids: TraceIds | None = None) -> None:
        super().__init__()
        self.service = service
        self.trace_ids = trace_ids or current_trace_ids

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": _utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            document["request_id"] = request_id
        ids = self.trace_ids()
        if ids is not None:
            document["trace_id"] = ids[0]
            if ids[1] is not None:
                document["span_id"] = ids[1]
        fields = record.__dict__
        for key in fields.keys() - _STANDARD:
            document.setdefault(key, fields[key])
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            document["exc_info"] = record.exc_text
        if record.stack_info:
            document["stack_info"] = record.stack_info
        return _ENCODER.encode(document)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [request id] message`` for a developer's terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s%(context)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = REQUEST_ID.get()
        record.__dict__["context"] = f" [{request_id}]" if request_id else ""
        try:
            return super().format(record)
        finally:
            del record.__dict__["context"]


class _StreamHandler(logging.StreamHandler[IO[str]]):
    """Writes to ``stream``, or to whatever ``sys.stdout`` is at the time (pytest swaps it)."""

    def __init__(self, stream: IO[str] | None) -> None:
        self._fixed = stream
        super().__init__(stream or sys.stdout)

    @property
    def stream(self) -> IO[str]:
        return self._fixed or sys.stdout

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        if self._fixed is not None:
            self._fixed = value


_INSTALLED = "_tb_platform_handler"


def log_format(environment: str, environ: Mapping[str, str] = os.environ) -> str:
    """``json`` or ``text``: LOG_FORMAT if set, else JSON outside development and test."""
    chosen = environ.get("LOG_FORMAT", "").strip().lower()
    if chosen in ("json", "text"):
        return chosen
    return "text" if environment in ("development", "test") else "json"


def configure_logging(
    *,
    service: str,
    level: str = "info",
    fmt: str = "json",
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
    trace_ids: TraceIds | None = None,
) -> logging.Handler:
    """Send every logger's records, redacted, to ``stream`` (stdout) in format ``fmt``.

    Idempotent: the handler a previous call installed is replaced, other handlers (pytest's)
    are left alone. uvicorn's loggers are made to go through it too; its access log is left
    off in favour of the one line per request :class:`~.middleware.RequestObservability` writes.
    """
    handler = _StreamHandler(stream)
    setattr(handler, _INSTALLED, True)
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(JsonFormatter(service, trace_ids) if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _INSTALLED, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # uvicorn's own access lines would repeat ours (and carry the raw path and query).
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # httpx says every call it makes at INFO, full URL and query included: the calls to other
    # services are in their access logs and in the traces; here only at DEBUG.
    logging.getLogger("httpx").setLevel(
        logging.NOTSET if root.getEffectiveLevel() <= logging.DEBUG else logging.WARNING
    )
    return handler


def settings_secrets(settings: Any) -> list[str]:
    """The literal secrets of ``settings``: its ``SecretStr`` values and the passwords of its
    URLs (DATABASE_URL, REDIS_URL, BROKER_URL, SMTP_URL…)."""
    found: list[str] = []
    fields = getattr(type(settings), "model_fields", {})
    for name in fields:
        value = getattr(settings, name, None)
        secret_value = getattr(value, "get_secret_value", None)
        if callable(secret_value):
            value = secret_value()
            if isinstance(value, str):
                found.append(value)
                if "://" not in value:
                    continue
        if isinstance(value, str) and "://" in value:
            try:
                password = urlsplit(value).password
            except ValueError:
                continue
            if password:
                found.extend({password, unquote(password)})
    return found


def configure_service_logging(
    settings: Any, *, stream: IO[str] | None = None, trace_ids: TraceIds | None = None
) -> logging.Handler:
    """:func:`configure_logging` for a service's settings (name, LOG_LEVEL, ENVIRONMENT)."""
    return configure_logging(
        service=settings.service_name,
        level=settings.log_level,
        fmt=log_format(settings.environment),
        secrets=settings_secrets(settings),
        stream=stream,
        trace_ids=trace_ids,
    )
