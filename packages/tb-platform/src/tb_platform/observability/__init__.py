"""Operations: metrics, logs and traces, written once here for every service.

- :mod:`.metrics` — ``GET /metrics`` (Prometheus) with the contract's names; :mod:`.lag` reads
  the consumer groups' lag from the broker.
- :mod:`.middleware` — the pure ASGI middleware: request id, HTTP metrics, access log.
- :mod:`.logs` — JSON lines (or readable text in development), redacted.
- :mod:`.tracing` — OpenTelemetry, off unless the OTEL_* variables ask for it.

:func:`install_observability` is what ``create_service_app`` calls. This module imports nothing
at load time: the events modules import :mod:`.tracing`, and :mod:`.lag` imports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..events.worker import WorkerSpec
    from .metrics import MetricSource, ServiceMetrics


def install_observability(
    app: FastAPI,
    *,
    settings: Any,
    worker: WorkerSpec | None = None,
    sources: Sequence[MetricSource] = (),
) -> ServiceMetrics:
    """Give ``app`` its metrics (``app.state.metrics``, ``GET /metrics``) and the request
    middleware; call it after the app's other middleware, so that this one runs first."""
    from .lag import lag_probe_for
    from .metrics import ServiceMetrics, metrics_endpoint
    from .middleware import RequestObservability

    metrics = ServiceMetrics(
        app,
        service=settings.service_name,
        worker=worker,
        lag_probe=lag_probe_for(
            redis_url=getattr(settings, "redis_url", None),
            broker_url=getattr(settings, "broker_url", None),
        )
        if worker is not None and worker.consumers
        else None,
        sources=sources,
    )
    app.state.metrics = metrics
    # For the cluster's Prometheus (the NetworkPolicy lets only it in), not for users: no
    # token, and not part of the API's documentation.
    app.add_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    app.add_middleware(RequestObservability, metrics=metrics.http)
    return metrics
