"""Writes TB ERP's Grafana dashboards: one per service and an overview.

The five service dashboards differ only in the service they filter on (and the notification
service's receipts), so they are generated rather than kept as five hand-edited copies that
drift apart. The JSON files are committed so Grafana's file provisioning can load them as they
are; a test checks they equal this script's output.

    python infrastructure/observability/grafana/generate.py          # rewrite dashboards/*.json
    python infrastructure/observability/grafana/generate.py --check  # exit 1 when they are stale

Queries use only the metric names of the contract between the services and their dashboards
(FACTS: http_requests_total, http_request_duration_seconds, db_pool_*, outbox_*, event_*,
cache_requests_total, receipts_total) and Prometheus's own `up` and process_* series.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DASHBOARDS = Path(__file__).resolve().parent / "dashboards"
SERVICES = (
    "employee-service",
    "asset-service",
    "invoice-service",
    "dashboard-service",
    "notification-service",
)
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
RATE = "$__rate_interval"  # Grafana widens it to at least four scrape intervals
GRID_WIDTH = 24


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[Query, ...]
    unit: str = "short"
    kind: str = "timeseries"  # or "stat"
    width: int = 12
    height: int = 8
    description: str = ""
    thresholds: tuple[tuple[float, str], ...] = ()
    base_color: str = "green"  # below the first threshold


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...] = field(default_factory=tuple)


def _panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"color": panel.base_color, "value": None}]
    steps += [{"color": color, "value": value} for value, color in panel.thresholds]
    targets = [
        {
            "datasource": DATASOURCE,
            "refId": chr(ord("A") + index),
            "expr": query.expr,
            "legendFormat": query.legend or "__auto",
            "range": True,
        }
        for index, query in enumerate(panel.queries)
    ]
    options: dict[str, Any]
    if panel.kind == "stat":
        options = {
            "colorMode": "value",
            "graphMode": "area",
            "justifyMode": "auto",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "textMode": "auto",
        }
    else:
        options = {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        }
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y},
        "fieldConfig": {
            "defaults": {
                "unit": panel.unit,
                "thresholds": {"mode": "absolute", "steps": steps},
            },
            "overrides": [],
        },
        "options": options,
        "targets": targets,
    }


def _layout(rows: tuple[Row, ...]) -> Iterator[dict[str, Any]]:
    """Places panels left to right, wrapping at Grafana's 24 columns, a row panel per section."""
    panel_id = 0
    y = 0
    for row in rows:
        panel_id += 1
        yield {
            "id": panel_id,
            "type": "row",
            "title": row.title,
            "collapsed": False,
            "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y},
            "panels": [],
        }
        y += 1
        x = 0
        line_height = 0
        for panel in row.panels:
            if x + panel.width > GRID_WIDTH:
                x, y, line_height = 0, y + line_height, 0
            panel_id += 1
            yield _panel_json(panel, panel_id, x, y)
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height


def _dashboard(uid: str, title: str, tags: list[str], rows: tuple[Row, ...]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": tags,
        "id": None,
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "browser",
        "annotations": {
            "list": [
                {
                    "builtIn": 1,
                    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                    "enable": True,
                    "hide": True,
                    "iconColor": "rgba(0, 211, 255, 1)",
                    "name": "Annotations & Alerts",
                    "type": "dashboard",
                }
            ]
        },
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                    "includeAll": False,
                    "multi": False,
                    "options": [],
                    "refresh": 1,
                    "regex": "",
                }
            ]
        },
        "links": [
            {
                "title": "TB ERP",
                "type": "dashboards",
                "tags": ["tb-erp"],
                "asDropdown": True,
                "includeVars": True,
                "keepTime": True,
            }
        ],
        "panels": list(_layout(rows)),
    }


def service_dashboard(service: str) -> dict[str, Any]:
    """The dashboard of one service: its traffic, latency, database, events, cache and process."""
    s = f'service="{service}"'
    requests = f"sum(rate(http_requests_total{{{s}}}[{RATE}]))"
    errors = f'sum(rate(http_requests_total{{{s},status=~"5.."}}[{RATE}]))'

    def quantile(q: str, by: str) -> str:
        return (
            f"histogram_quantile({q}, sum by ({by}) "
            f"(rate(http_request_duration_seconds_bucket{{{s}}}[{RATE}])))"
        )

    rows = [
        Row(
            "Health",
            (
                Panel(
                    "Targets up",
                    (Query(f"sum(up{{{s}}})"),),
                    kind="stat",
                    width=4,
                    height=4,
                    base_color="red",
                    thresholds=((1, "green"),),
                ),
                Panel("Requests", (Query(requests),), unit="reqps", kind="stat", width=4, height=4),
                Panel(
                    "5xx ratio",
                    (Query(f"{errors} / {requests}"),),
                    unit="percentunit",
                    kind="stat",
                    width=4,
                    height=4,
                    thresholds=((0.02, "red"),),
                ),
                Panel(
                    "p99 latency",
                    (Query(quantile("0.99", "le")),),
                    unit="s",
                    kind="stat",
                    width=4,
                    height=4,
                    thresholds=((0.5, "red"),),
                ),
                Panel(
                    "Oldest unpublished event",
                    (Query(f"max(outbox_oldest_unpublished_age_seconds{{{s}}})"),),
                    unit="s",
                    kind="stat",
                    width=4,
                    height=4,
                    thresholds=((60, "red"),),
                ),
                Panel(
                    "Dead letters",
                    (Query(f"max(event_dead_letters{{{s}}})"),),
                    kind="stat",
                    width=4,
                    height=4,
                    thresholds=((1, "red"),),
                ),
            ),
        ),
        Row(
            "HTTP",
            (
                Panel(
                    "Requests by route",
                    (
                        Query(
                            f"sum by (method, route) (rate(http_requests_total{{{s}}}[{RATE}]))",
                            "{{method}} {{route}}",
                        ),
                    ),
                    unit="reqps",
                ),
                Panel(
                    "Responses by status",
                    (
                        Query(
                            f"sum by (status) (rate(http_requests_total{{{s}}}[{RATE}]))",
                            "{{status}}",
                        ),
                    ),
                    unit="reqps",
                ),
                Panel(
                    "5xx ratio by route",
                    (
                        Query(
                            f'sum by (route) (rate(http_requests_total{{{s},status=~"5.."}}[{RATE}]))'
                            f" / sum by (route) (rate(http_requests_total{{{s}}}[{RATE}]))",
                            "{{route}}",
                        ),
                    ),
                    unit="percentunit",
                    description="Share of the route's requests answered with a 5xx; alert at 2 % for the service.",
                ),
                Panel(
                    "p50 latency by route",
                    (Query(quantile("0.5", "route, le"), "{{route}}"),),
                    unit="s",
                ),
                Panel(
                    "p99 latency by route",
                    (Query(quantile("0.99", "route, le"), "{{route}}"),),
                    unit="s",
                    description="Alert when above 500 ms for 10 minutes on a route with traffic.",
                ),
            ),
        ),
        Row(
            "Database and cache",
            (
                Panel(
                    "Database pool",
                    (
                        Query(f"sum(db_pool_connections_in_use{{{s}}})", "in use"),
                        Query(f"sum(db_pool_size{{{s}}})", "size"),
                    ),
                ),
                Panel(
                    "Cache hit ratio",
                    (
                        Query(
                            f'sum by (cache) (rate(cache_requests_total{{{s},result="hit"}}[{RATE}]))'
                            f" / sum by (cache) (rate(cache_requests_total{{{s}}}[{RATE}]))",
                            "{{cache}}",
                        ),
                    ),
                    unit="percentunit",
                ),
            ),
        ),
        Row(
            "Events",
            (
                Panel(
                    "Outbox backlog",
                    (Query(f"sum(outbox_backlog_events{{{s}}})", "unpublished events"),),
                ),
                Panel(
                    "Oldest unpublished event",
                    (Query(f"max(outbox_oldest_unpublished_age_seconds{{{s}}})", "age"),),
                    unit="s",
                    thresholds=((60, "red"),),
                ),
                Panel(
                    "Consumer lag",
                    (
                        Query(
                            f"max by (consumer) (event_consumer_lag_events{{{s}}})",
                            "{{consumer}}",
                        ),
                    ),
                ),
                Panel(
                    "Dead letters",
                    (Query(f"max(event_dead_letters{{{s}}})", "parked events"),),
                ),
            ),
        ),
        Row(
            "Process",
            (
                Panel(
                    "Resident memory",
                    (Query(f"process_resident_memory_bytes{{{s}}}", "{{instance}}"),),
                    unit="bytes",
                    thresholds=((200 * 1024 * 1024, "red"),),
                    description="A service is sized for 200 MB.",
                ),
                Panel(
                    "CPU",
                    (Query(f"rate(process_cpu_seconds_total{{{s}}}[{RATE}])", "{{instance}}"),),
                    unit="percentunit",
                    description="One uvicorn worker: 100 % is one core, the most it can use.",
                ),
            ),
        ),
    ]
    if service == "notification-service":
        rows.insert(
            2,
            Row(
                "Receipts",
                (
                    Panel(
                        "Receipts by outcome",
                        (
                            Query(
                                f"sum by (status) (rate(receipts_total{{{s}}}[{RATE}]))",
                                "{{status}}",
                            ),
                        ),
                        unit="ops",
                    ),
                    Panel(
                        "Failed receipts (24 h)",
                        (Query(f'sum(increase(receipts_total{{{s},status="failed"}}[24h]))'),),
                        kind="stat",
                        thresholds=((1, "red"),),
                    ),
                ),
            ),
        )
    return _dashboard(
        uid=f"tb-erp-{service}",
        title=f"TB ERP / {service}",
        tags=["tb-erp", service],
        rows=tuple(rows),
    )


def overview_dashboard() -> dict[str, Any]:
    """All services side by side: is anything down, failing, slow, or falling behind on events."""
    ours = 'service!=""'
    return _dashboard(
        uid="tb-erp-overview",
        title="TB ERP / Overview",
        tags=["tb-erp", "overview"],
        rows=(
            Row(
                "Services",
                (
                    Panel(
                        "Targets up",
                        (Query(f"sum by (service) (up{{{ours}}})", "{{service}}"),),
                        kind="stat",
                        width=24,
                        height=4,
                        base_color="red",
                        thresholds=((1, "green"),),
                    ),
                    Panel(
                        "Requests by service",
                        (
                            Query(
                                f"sum by (service) (rate(http_requests_total[{RATE}]))",
                                "{{service}}",
                            ),
                        ),
                        unit="reqps",
                    ),
                    Panel(
                        "5xx ratio by service",
                        (
                            Query(
                                f'sum by (service) (rate(http_requests_total{{status=~"5.."}}[{RATE}]))'
                                f" / sum by (service) (rate(http_requests_total[{RATE}]))",
                                "{{service}}",
                            ),
                        ),
                        unit="percentunit",
                        thresholds=((0.02, "red"),),
                    ),
                    Panel(
                        "p99 latency by service",
                        (
                            Query(
                                "histogram_quantile(0.99, sum by (service, le) "
                                f"(rate(http_request_duration_seconds_bucket[{RATE}])))",
                                "{{service}}",
                            ),
                        ),
                        unit="s",
                        thresholds=((0.5, "red"),),
                    ),
                    Panel(
                        "Database pool in use",
                        (
                            Query(
                                "sum by (service) (db_pool_connections_in_use)"
                                " / sum by (service) (db_pool_size)",
                                "{{service}}",
                            ),
                        ),
                        unit="percentunit",
                    ),
                ),
            ),
            Row(
                "Events",
                (
                    Panel(
                        "Oldest unpublished event",
                        (
                            Query(
                                "max by (service) (outbox_oldest_unpublished_age_seconds)",
                                "{{service}}",
                            ),
                        ),
                        unit="s",
                        thresholds=((60, "red"),),
                    ),
                    Panel(
                        "Outbox backlog",
                        (Query("sum by (service) (outbox_backlog_events)", "{{service}}"),),
                    ),
                    Panel(
                        "Consumer lag",
                        (
                            Query(
                                "max by (service, consumer) (event_consumer_lag_events)",
                                "{{consumer}}",
                            ),
                        ),
                    ),
                    Panel(
                        "Dead letters",
                        (Query("max by (service) (event_dead_letters)", "{{service}}"),),
                    ),
                ),
            ),
            Row(
                "Cache and process",
                (
                    Panel(
                        "Cache hit ratio by service",
                        (
                            Query(
                                f'sum by (service) (rate(cache_requests_total{{result="hit"}}[{RATE}]))'
                                f" / sum by (service) (rate(cache_requests_total[{RATE}]))",
                                "{{service}}",
                            ),
                        ),
                        unit="percentunit",
                    ),
                    Panel(
                        "Resident memory",
                        (
                            Query(
                                f"max by (service) (process_resident_memory_bytes{{{ours}}})",
                                "{{service}}",
                            ),
                        ),
                        unit="bytes",
                        thresholds=((200 * 1024 * 1024, "red"),),
                    ),
                ),
            ),
        ),
    )


def render() -> dict[str, str]:
    """File name -> JSON text of every dashboard, exactly as committed."""
    dashboards = {"overview.json": overview_dashboard()}
    for service in SERVICES:
        dashboards[f"{service}.json"] = service_dashboard(service)
    return {name: json.dumps(model, indent=2) + "\n" for name, model in dashboards.items()}


def main(argv: list[str]) -> int:
    rendered = render()
    if "--check" in argv:
        stale = sorted(
            name
            for name, text in rendered.items()
            if not (DASHBOARDS / name).exists() or (DASHBOARDS / name).read_text() != text
        )
        extra = sorted(
            {path.name for path in DASHBOARDS.glob("*.json")} - set(rendered),
        )
        for name in stale:
            print(f"stale: {name} (run generate.py)")
        for name in extra:
            print(f"not generated: {name}")
        return 1 if stale or extra else 0
    DASHBOARDS.mkdir(exist_ok=True)
    for name, text in rendered.items():
        (DASHBOARDS / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
