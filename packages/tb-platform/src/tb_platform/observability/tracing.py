"""OpenTelemetry tracing: off unless the standard OTEL_* variables ask for it.

On when ``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or
``OTEL_TRACES_EXPORTER`` (``otlp``, ``console``) is set; ``OTEL_TRACES_EXPORTER=none`` and
``OTEL_SDK_DISABLED=true`` keep it off. Off, nothing of the SDK or of the instrumentations is
imported (they weigh tens of megabytes; a service must stay under 200 MB): every function here
returns at once.

On, a service traces:

- its HTTP requests (FastAPI's own telemetry: a server span named after the route template,
  the caller's W3C ``traceparent`` as its parent);
- every SQL statement of its engines (:func:`instrument_engine`), every httpx call it makes
  (with ``traceparent`` injected, so the next service continues the trace) and Redis command;
- its events: the context of the span that wrote an event goes into the envelope's
  ``traceparent`` (:func:`current_traceparent`, called by the outbox), and the consumer handles
  it in a span whose parent is that context (:func:`event_span`): one trace id from the request
  that produced an event to the handlers that consumed it.

Polling (the relay's and the consumers' idle queries) would be a root span every few hundred
milliseconds: a client span without a parent is not sampled.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from . import logs

if TYPE_CHECKING:  # the SDK is imported only when tracing is turned on
    from fastapi.telemetry import TelemetryConfig
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

log = logging.getLogger("tb_platform.observability.tracing")

# Scraped every few seconds or probed by the kubelet: traces of them are noise.
UNTRACED_PATHS = frozenset({"/metrics", "/health", "/ready"})


@dataclass
class _Tracing:
    provider: TracerProvider
    switch: Any  # _SwitchingProcessor
    from_environment: bool = False
    on: bool = True


_state: _Tracing | None = None
_engines: weakref.WeakSet[Any] = weakref.WeakSet()


def tracing_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the OTEL_* variables ask for traces."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return bool(
        exporter
        or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    )


def tracing_enabled() -> bool:
    """Whether this process traces."""
    return _state is not None and _state.on


def setup_tracing(
    service_name: str,
    *,
    exporter: SpanExporter | None = None,
    environ: Mapping[str, str] = os.environ,
) -> bool:
    """Turn tracing on if ``exporter`` is given (tests: an ``InMemorySpanExporter``, exported
    synchronously) or the environment asks for it (OTLP over HTTP, batched); returns whether it
    is on. Safe to call again: from the environment once per process, and a new ``exporter``
    replaces the previous one (the instrumentations stay in place).
    """
    global _state
    if exporter is None:
        if not tracing_requested(environ):
            return tracing_enabled()
        if _state is not None and _state.on and _state.from_environment:
            return True

    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    if _state is None:
        _state = _start(service_name, environ)
    processor = (
        SimpleSpanProcessor(exporter)
        if exporter is not None
        else BatchSpanProcessor(_exporter_from(environ))
    )
    _state.switch.use(processor)
    _state.from_environment = exporter is None
    _state.on = True
    logs.use_trace_ids(_span_ids)
    return True


def disable_tracing() -> None:
    """Stop exporting (flushing what is pending); spans are still made but go nowhere. For tests,
    which turn tracing on and off within one process."""
    if _state is None:
        return
    _state.switch.use(None)
    _state.on = False
    logs.use_trace_ids(logs.header_trace_ids)


def _start(service_name: str, environ: Mapping[str, str]) -> _Tracing:
    from opentelemetry import trace
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    # OTEL_SERVICE_NAME, when set, names the service; OTEL_RESOURCE_ATTRIBUTES adds to it.
    attributes = {} if environ.get("OTEL_SERVICE_NAME") else {"service.name": service_name}
    switch = _switching_processor()
    provider = TracerProvider(resource=Resource.create(attributes), sampler=_sampler())
    provider.add_span_processor(switch)
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    log.info("tracing on for %s", service_name)
    return _Tracing(provider=provider, switch=switch)


def _exporter_from(environ: Mapping[str, str]) -> SpanExporter:
    chosen = environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",")[0].strip().lower() or "otlp"
    if chosen == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if chosen != "otlp":
        log.warning("OTEL_TRACES_EXPORTER=%s is not supported here; using otlp", chosen)
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol != "http/protobuf":
        log.warning("OTLP protocol %s is not installed; using http/protobuf", protocol)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    # Endpoint, headers, timeout and compression come from the OTEL_EXPORTER_OTLP_* variables.
    return OTLPSpanExporter()


def _switching_processor() -> SpanProcessor:
    from opentelemetry.sdk.trace import SpanProcessor

    class SwitchingProcessor(SpanProcessor):
        """Hands spans to one processor that can be replaced (the global provider cannot)."""

        def __init__(self) -> None:
            self.target: SpanProcessor | None = None

        def use(self, processor: SpanProcessor | None) -> None:
            previous, self.target = self.target, processor
            if previous is not None:
                previous.shutdown()

        def on_start(self, span: Any, parent_context: Any = None) -> None:
            if self.target is not None:
                self.target.on_start(span, parent_context=parent_context)

        def on_end(self, span: Any) -> None:
            if self.target is not None:
                self.target.on_end(span)

        def shutdown(self) -> None:
            self.use(None)

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return self.target.force_flush(timeout_millis) if self.target is not None else True

    return SwitchingProcessor()


def _sampler() -> Any:
    from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
    from opentelemetry.sdk.trace.sampling import _get_from_env_or_default as from_environment
    from opentelemetry.trace import SpanKind, get_current_span

    class NoPollingRoots(Sampler):
        """OTEL_TRACES_SAMPLER's sampler, except that a client span (SQL, Redis, HTTP out)
        with no parent is dropped: that is a background loop polling, not an operation."""

        def __init__(self, inner: Sampler) -> None:
            self.inner = inner

        def should_sample(
            self,
            parent_context: Any,
            trace_id: int,
            name: str,
            kind: Any = None,
            attributes: Any = None,
            links: Any = None,
            trace_state: Any = None,
        ) -> SamplingResult:
            if kind is SpanKind.CLIENT:
                parent = get_current_span(parent_context).get_span_context()
                if not parent.is_valid:
                    return SamplingResult(Decision.DROP)
            return self.inner.should_sample(
                parent_context, trace_id, name, kind, attributes, links, trace_state
            )

        def get_description(self) -> str:
            return f"NoPollingRoots{{{self.inner.get_description()}}}"

    return NoPollingRoots(from_environment())


def fastapi_telemetry() -> TelemetryConfig:
    """The ``telemetry`` argument of FastAPI: its server spans when tracing is on, nothing else
    (the metrics are Prometheus's, the logs ours), and never for the untraced paths."""
    state = _state if tracing_enabled() else None
    return {
        "tracing": state is not None,
        "tracer_provider": state.provider if state is not None else None,
        "metrics": False,
        "logs": False,
        "auto_configure": False,
        "exclude": _untraced,
    }


def _untraced(scope: Any) -> bool:
    return scope.get("path") in UNTRACED_PATHS


def instrument_engine(engine: Any) -> None:
    """Trace every statement of ``engine`` (an ``AsyncEngine`` or ``Engine``), once."""
    if not tracing_enabled():
        return
    assert _state is not None
    sync_engine = getattr(engine, "sync_engine", engine)
    if sync_engine in _engines:
        return
    from opentelemetry.instrumentation.sqlalchemy import __version__
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpUpDownCounter

    tracer = _state.provider.get_tracer("opentelemetry.instrumentation.sqlalchemy", __version__)
    # The pool's usage is a Prometheus gauge already (db_pool_connections_in_use).
    EngineTracer(tracer, sync_engine, NoOpUpDownCounter("db.client.connections.usage"))
    _engines.add(sync_engine)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, when tracing is on and there is one."""
    if not tracing_enabled():
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def _span_ids() -> tuple[str, str | None] | None:
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        return f"{context.trace_id:032x}", f"{context.span_id:016x}"
    return logs.header_trace_ids()


@contextmanager
def event_span(
    name: str,
    *,
    traceparent: str | None,
    kind: Literal["producer", "consumer"],
    attributes: Mapping[str, str] | None = None,
) -> Iterator[None]:
    """A span around publishing or handling an event, a child of the context in the event's
    ``traceparent`` (else of the current span). Nothing at all when tracing is off."""
    if not tracing_enabled():
        yield
        return
    assert _state is not None
    from opentelemetry.trace import SpanKind
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    parent = (
        TraceContextTextMapPropagator().extract({"traceparent": traceparent})
        if traceparent
        else None
    )
    tracer = _state.provider.get_tracer("tb_platform.events")
    with tracer.start_as_current_span(
        name,
        context=parent,
        kind=SpanKind.PRODUCER if kind == "producer" else SpanKind.CONSUMER,
        attributes=dict(attributes or {}),
    ):
        yield
