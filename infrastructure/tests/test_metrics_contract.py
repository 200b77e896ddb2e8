"""The two sides of the metrics contract agree: every metric the dashboards and alert rules query
is one a real service exports on ``GET /metrics`` (the notification service, migrated on a fresh
database: it exports the common metrics and its own ``receipts_total``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from notification_service.cli import ALEMBIC_DIR
from notification_service.core.config import NotificationSettings
from notification_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import temporary_database

from .test_observability_configs import BUILTIN_METRICS, _dashboards, _panels, _rules, metric_names

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"


def _queried_metrics() -> set[str]:
    """Every metric name a dashboard panel or an alert/recording rule asks Prometheus for,
    leaving out what Prometheus itself adds (``up``) and the rules' own recorded series."""
    rules = _rules()
    exprs = [rule["expr"] for rule in rules] + [
        target["expr"]
        for dashboard in _dashboards().values()
        for panel in _panels(dashboard)
        for target in panel.get("targets", [])
    ]
    recorded = {rule["record"] for rule in rules if "record" in rule}
    names = set().union(*(metric_names(expr) for expr in exprs))
    return names - recorded - BUILTIN_METRICS


def exported_metrics(text: str) -> set[str]:
    """The series names of a Prometheus text answer, with each family's declared name (a family
    with no series yet, e.g. a consumer group the broker does not know, still declares itself)."""
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split(" ", 3)
            # The text format declares a counter by its _total name, a histogram by its base.
            suffixes = ("_bucket", "_sum", "_count") if kind == "histogram" else ("",)
            names |= {family + suffix for suffix in suffixes}
        elif line and not line.startswith("#"):
            names.add(line.split("{", 1)[0].split(" ", 1)[0])
    return names


@pytest.fixture
def metrics_text() -> Iterator[str]:
    with temporary_database("tb_metrics_contract") as url:
        migrations.upgrade(ALEMBIC_DIR, url)
        settings = NotificationSettings(
            database_url=url,
            environment="test",
            jwt_secret=SECRET,
            redis_url="redis://127.0.0.1:6379/0",
        )
        app = create_app(settings)

        async def scrape() -> str:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                await client.get("/health")  # one request, so the HTTP series exist
                answer = await client.get("/metrics")
            await app.state.database.dispose()
            assert answer.status_code == 200, answer.text
            return answer.text

        yield asyncio.run(scrape())


def test_every_metric_the_dashboards_and_alerts_query_is_exported_by_a_service(
    metrics_text: str,
) -> None:
    queried = _queried_metrics()
    assert {"http_requests_total", "receipts_total", "outbox_backlog_events"} <= queried
    missing = queried - exported_metrics(metrics_text)
    assert missing == set(), f"queried but not exported: {sorted(missing)}"


def test_the_exported_names_are_read_from_the_answer_not_assumed() -> None:
    answer = (
        "# HELP receipts_total Receipts.\n# TYPE receipts_total counter\n"
        "# TYPE http_request_duration_seconds histogram\n"
        'receipts_total{service="n",status="sent"} 2.0\n'
        "# TYPE event_consumer_lag_events gauge\n"
    )
    exported = exported_metrics(answer)
    assert {
        "receipts_total",
        "event_consumer_lag_events",
        "http_request_duration_seconds_bucket",
    } <= exported
    assert "http_requests_total" not in exported
