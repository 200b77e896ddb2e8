"""Observability configuration: Prometheus scraping and rules, Grafana dashboards, OTel collector.

Prometheus's own `promtool` (Debian's package) checks the configurations, the rules and the
rules' unit tests; Python checks what promtool cannot see: that dashboards and rules speak only
the metric names the services export (the contract in the services' instrumentation), that the
Kubernetes discovery keeps exactly the services' pods, and that every collector pipeline is
wired to components that exist. Each checker is shown a broken copy once, so it can fail.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.tools import INFRA, SERVICE_PORTS, debian_tool, run

OBSERVABILITY = INFRA / "observability"
PROMETHEUS = OBSERVABILITY / "prometheus"
RULES = PROMETHEUS / "rules"
RULE_TESTS = RULES / "tests"
GRAFANA = OBSERVABILITY / "grafana"
DASHBOARDS = GRAFANA / "dashboards"
COLLECTOR = OBSERVABILITY / "otel-collector" / "config.yaml"
README = OBSERVABILITY / "README.md"

SERVICES = SERVICE_PORTS

# The metric names the services export (the code's side of the contract) ...
CONTRACT_METRICS = {
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_sum",
    "http_request_duration_seconds_count",
    "db_pool_connections_in_use",
    "db_pool_size",
    "outbox_backlog_events",
    "outbox_oldest_unpublished_age_seconds",
    "event_consumer_lag_events",
    "event_dead_letters",
    "cache_requests_total",
    "receipts_total",
}
# ... and what Prometheus and prometheus-client add to every target.
BUILTIN_METRICS = {"up"}
BUILTIN_PREFIXES = ("process_",)

PROMQL_KEYWORDS = {
    # aggregation operators, which may stand apart from their parenthesis: `sum by (x) (...)`
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile",
    # binary operators and modifiers
    "and", "or", "unless", "atan2", "bool", "offset", "by", "without", "on", "ignoring",
    "group_left", "group_right", "inf", "nan",
}  # fmt: skip

REQUIRED_ALERTS = {
    "HighErrorRate",
    "HighLatencyP99",
    "OutboxEventsStuck",
    "OutboxBacklogGrowing",
    "EventsDeadLettered",
    "ConsumerLagHigh",
    "ServiceDown",
    "MemoryNearLimit",
    "ReceiptsFailing",
}
SEVERITIES = {"critical", "warning", "info"}


def _stop_prometheus_started_by_apt() -> None:
    """Installing Debian's prometheus for promtool enables and starts the server where systemd
    runs (postinst); the tests only wanted the checker, so they do not leave a server behind."""
    if not Path("/run/systemd/system").is_dir() or not shutil.which("systemctl"):
        return  # no systemd (containers): postinst starts nothing
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    run([*prefix, "systemctl", "disable", "--now", "prometheus.service"])


@pytest.fixture(scope="module")
def promtool() -> str:
    installed_before = shutil.which("promtool") is not None
    path = debian_tool("promtool", "prometheus")
    if not installed_before:
        _stop_prometheus_started_by_apt()
    return path


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# --- PromQL: which metric names an expression reads --------------------------------------------

_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_LABEL_LISTS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
# the lookahead refuses a shorter prefix of a function's name as well as the name itself
_NAMES = re.compile(r"(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()")


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects: identifiers that are not functions, keywords,
    label names (inside braces or by/on lists) or durations."""
    bare = expr
    for pattern in (_STRINGS, _MATCHERS, _RANGES, _LABEL_LISTS):
        bare = pattern.sub(" ", bare)
    return {name for name in _NAMES.findall(bare) if name.lower() not in PROMQL_KEYWORDS}


def unknown_metrics(expr: str, also_known: set[str] = frozenset()) -> set[str]:
    return {
        name
        for name in metric_names(expr)
        if name not in CONTRACT_METRICS | BUILTIN_METRICS | also_known
        and not name.startswith(BUILTIN_PREFIXES)
    }


def test_the_metric_name_parser_sees_names_and_nothing_else() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{status=~"5..",route="/a/{id}"}[5m])))'
        " / on (service) group_left max by (service) (up offset 1m) > 1e6"
        " and process_resident_memory_bytes{service!=''} unless absent(event_dead_letters)"
    )
    assert metric_names(expr) == {
        "http_request_duration_seconds_bucket",
        "up",
        "process_resident_memory_bytes",
        "event_dead_letters",
    }
    assert unknown_metrics("sum(rate(http_request_total[5m]))") == {"http_request_total"}


def promql_problems(exprs: list[str], promtool: str, workdir: Path) -> str:
    """promtool's verdict on expressions (Grafana's $__rate_interval read as 5m): each becomes a
    recording rule of a throwaway rule file. Empty when all parse."""
    rules = [
        {"record": f"check:expr_{index}", "expr": expr.replace("$__rate_interval", "5m")}
        for index, expr in enumerate(exprs)
    ]
    path = write_yaml(workdir / "exprs.yml", {"groups": [{"name": "exprs", "rules": rules}]})
    result = run([promtool, "check", "rules", str(path)])
    return "" if result.returncode == 0 else result.stdout + result.stderr


# --- Prometheus: scraping ----------------------------------------------------------------------


def test_compose_prometheus_config_passes_promtool(promtool: str) -> None:
    result = run([promtool, "check", "config", str(PROMETHEUS / "prometheus.yml")])
    assert result.returncode == 0, result.stdout + result.stderr
    # promtool follows rule_files: all of the rules are loaded, and the unit tests are not
    for rule_file in ("recording.yml", "alerts.yml"):
        assert rule_file in result.stdout
    assert "alerts_test.yml" not in result.stdout


def test_compose_prometheus_scrapes_each_service_on_its_own_port_with_its_service_label() -> None:
    config = load_yaml(PROMETHEUS / "prometheus.yml")
    scraped: dict[str, str] = {}
    for job in config["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics"
        for group in job["static_configs"]:
            for target in group["targets"]:
                scraped[target] = group["labels"]["service"]
    assert scraped == {f"{service}:{port}": service for service, port in SERVICES.items()}


def test_a_broken_prometheus_config_is_refused_by_promtool(promtool: str, tmp_path: Path) -> None:
    shutil.copytree(PROMETHEUS, tmp_path / "prometheus")
    config = load_yaml(tmp_path / "prometheus" / "prometheus.yml")
    config["scrape_configs"][0]["scrape_interval"] = "fast"
    broken = write_yaml(tmp_path / "prometheus" / "prometheus.yml", config)
    result = run([promtool, "check", "config", str(broken)])
    assert result.returncode != 0
    assert "fast" in result.stdout + result.stderr


def _kubernetes_config_with_static_targets(tmp_path: Path) -> Path:
    # Debian builds Prometheus without Kubernetes discovery ("field kubernetes_sd_configs not
    # found"), so promtool sees the rest of the file with a static target in its place.
    shutil.copytree(PROMETHEUS, tmp_path / "prometheus")
    config = load_yaml(PROMETHEUS / "prometheus-kubernetes.yml")
    for job in config["scrape_configs"]:
        job.pop("kubernetes_sd_configs")
        job["static_configs"] = [{"targets": ["10.0.0.1:8002"]}]
    return write_yaml(tmp_path / "prometheus" / "prometheus-kubernetes.yml", config)


def test_kubernetes_prometheus_config_passes_promtool_apart_from_pod_discovery(
    promtool: str, tmp_path: Path
) -> None:
    checked = _kubernetes_config_with_static_targets(tmp_path)
    result = run([promtool, "check", "config", str(checked)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alerts.yml" in result.stdout


def test_kubernetes_prometheus_discovers_pods_through_the_api_server_filtered_by_label() -> None:
    config = load_yaml(PROMETHEUS / "prometheus-kubernetes.yml")
    (job,) = config["scrape_configs"]
    (discovery,) = job["kubernetes_sd_configs"]
    assert discovery["role"] == "pod"
    for selector in discovery["selectors"]:
        assert set(selector) <= {"role", "label", "field"}  # the fields Prometheus accepts
    assert {"role": "pod", "label": "app.kubernetes.io/part-of=tb-erp"} in discovery["selectors"]
    assert config["rule_files"] == ["rules/*.yml"]


def relabel(labels: dict[str, str], configs: list[dict[str, Any]]) -> dict[str, str] | None:
    """Prometheus's relabelling (keep, drop, replace) of one target; None when it is dropped."""
    labels = dict(labels)
    for config in configs:
        action = config.get("action", "replace")
        value = config.get("separator", ";").join(
            labels.get(name, "") for name in config.get("source_labels", [])
        )
        match = re.fullmatch(config.get("regex", "(.*)"), value)
        if action == "keep" and not match:
            return None
        if action == "drop" and match:
            return None
        if action == "replace" and match:
            replacement = re.sub(r"\$\{?(\d+)\}?", r"\\\1", config.get("replacement", "$1"))
            labels[config["target_label"]] = match.expand(replacement)
        assert action in {"keep", "drop", "replace"}, f"the test does not model {action}"
    return {name: value for name, value in labels.items() if not name.startswith("__")}


def _pod(name: str, *, port: str = "http", phase: str = "Running", part_of: str = "tb-erp"):
    return {
        "__meta_kubernetes_namespace": "tb-erp",
        "__meta_kubernetes_pod_name": f"{name}-7d9f-abcde",
        "__meta_kubernetes_pod_label_app_kubernetes_io_name": name,
        "__meta_kubernetes_pod_label_app_kubernetes_io_part_of": part_of,
        "__meta_kubernetes_pod_container_port_name": port,
        "__meta_kubernetes_pod_phase": phase,
    }


def test_kubernetes_prometheus_scrapes_the_services_pods_and_nothing_else() -> None:
    relabel_configs = load_yaml(PROMETHEUS / "prometheus-kubernetes.yml")["scrape_configs"][0][
        "relabel_configs"
    ]
    for service in SERVICES:
        assert relabel(_pod(service), relabel_configs) == {
            "service": service,
            "namespace": "tb-erp",
            "pod": f"{service}-7d9f-abcde",
        }
    not_scraped = {
        "an events worker (no HTTP port)": _pod("asset-service", port=""),
        "the web app (no /metrics)": _pod("web-frontend"),
        "another application's pod": _pod("asset-service", part_of="billing"),
        "a pod still starting": _pod("asset-service", phase="Pending"),
    }
    for case, pod in not_scraped.items():
        assert relabel(pod, relabel_configs) is None, case
    # the model of relabelling can tell: without the port rule the worker would be scraped
    without_port_rule = [
        config
        for config in relabel_configs
        if config.get("source_labels") != ["__meta_kubernetes_pod_container_port_name"]
    ]
    assert relabel(not_scraped["an events worker (no HTTP port)"], without_port_rule) is not None


# --- Prometheus: rules -------------------------------------------------------------------------


def _rule_files() -> list[Path]:
    return sorted(RULES.glob("*.yml"))


def _rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in _rule_files()
        for group in load_yaml(path)["groups"]
        for rule in group["rules"]
    ]


def test_rules_pass_promtool(promtool: str) -> None:
    result = run([promtool, "check", "rules", *map(str, _rule_files())])
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_rule_with_broken_promql_is_refused_by_promtool(promtool: str, tmp_path: Path) -> None:
    alerts = load_yaml(RULES / "alerts.yml")
    alerts["groups"][0]["rules"][0]["expr"] = "sum by (service (rate(http_requests_total[5m]))"
    result = run([promtool, "check", "rules", str(write_yaml(tmp_path / "alerts.yml", alerts))])
    assert result.returncode != 0


def test_alert_rule_unit_tests_pass(promtool: str) -> None:
    for tests in sorted(RULE_TESTS.glob("*.yml")):
        result = run([promtool, "test", "rules", str(tests)])
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "failing_scenario"),
    [
        pytest.param(
            ("> 0.02", "> 0.05"),
            "5 % of its requests with 5xx pages",
            id="error rate threshold raised",
        ),
        pytest.param(
            ("seconds) > 60", "seconds) > 600"),
            "older than a minute pages",
            id="outbox age threshold raised",
        ),
        pytest.param(
            # increase() reads a replay (the gauge dropping) as a counter reset and new letters
            ("delta(event_dead_letters", "increase(event_dead_letters"),
            "a new dead letter pages",
            id="dead letters counted with increase",
        ),
    ],
)
def test_alert_unit_tests_fail_when_an_alert_is_weakened(
    promtool: str, tmp_path: Path, change: tuple[str, str], failing_scenario: str
) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    alerts = tmp_path / "rules" / "alerts.yml"
    before, after = change
    assert before in alerts.read_text()
    alerts.write_text(alerts.read_text().replace(before, after))
    result = run([promtool, "test", "rules", str(tmp_path / "rules" / "tests" / "alerts_test.yml")])
    assert result.returncode != 0
    assert failing_scenario in result.stdout + result.stderr


def test_the_unit_tests_cover_the_alerts_that_must_fire_and_stay_quiet() -> None:
    tests = [case for path in RULE_TESTS.glob("*.yml") for case in load_yaml(path)["tests"]]
    fired: set[str] = set()
    quiet: set[str] = set()
    for case in tests:
        for check in case.get("alert_rule_test", []):
            (fired if check["exp_alerts"] else quiet).add(check["alertname"])
    alerts = {rule["alert"] for rule in _rules() if "alert" in rule}
    assert alerts <= fired, f"alerts never shown to fire: {alerts - fired}"
    assert {"HighErrorRate", "OutboxEventsStuck", "EventsDeadLettered"} <= quiet


def _readme_anchors() -> set[str]:
    """GitHub's anchors of the README's headings."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", README.read_text(), flags=re.MULTILINE)
    return {
        re.sub(r"[^\w\- ]", "", heading).strip().lower().replace(" ", "-") for heading in headings
    }


def test_every_alert_has_a_severity_a_summary_a_description_and_a_runbook_that_exists() -> None:
    alerts = [rule for rule in _rules() if "alert" in rule]
    assert {alert["alert"] for alert in alerts} >= REQUIRED_ALERTS
    anchors = _readme_anchors()
    for alert in alerts:
        name = alert["alert"]
        assert alert["labels"]["severity"] in SEVERITIES, name
        annotations = alert["annotations"]
        assert annotations["summary"].strip(), name
        assert annotations["description"].strip(), name
        url, _, anchor = annotations["runbook_url"].partition("#")
        assert url.endswith("/infrastructure/observability/README.md"), name
        assert anchor in anchors, f"{name}: no README section #{anchor}"


def test_rules_read_only_contract_metrics_and_recorded_series() -> None:
    recorded = {rule["record"] for rule in _rules() if "record" in rule}
    for rule in _rules():
        name = rule.get("alert") or rule["record"]
        assert unknown_metrics(rule["expr"], also_known=recorded) == set(), name
        assert metric_names(rule["expr"]), f"{name} reads no metric"


# --- Grafana -----------------------------------------------------------------------------------


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("grafana_generate", GRAFANA / "generate.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _dashboards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS.glob("*.json"))}


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # a collapsed row keeps its panels inside
    return [panel for panel in panels if panel["type"] != "row"]


def dashboard_problems(dashboard: dict[str, Any]) -> list[str]:
    """What keeps a dashboard model from loading and showing the services' metrics."""
    problems = []
    for key in ("uid", "title", "tags", "schemaVersion", "panels", "templating"):
        if not dashboard.get(key):
            problems.append(f"no {key}")
    variables = {var["name"]: var for var in dashboard.get("templating", {}).get("list", [])}
    datasource_var = variables.get("datasource", {})
    if datasource_var.get("type") != "datasource" or datasource_var.get("query") != "prometheus":
        problems.append("no datasource variable choosing a Prometheus")
    ids = [panel.get("id") for panel in dashboard.get("panels", [])]
    if len(ids) != len(set(ids)):
        problems.append("panel ids repeat")
    for panel in _panels(dashboard):
        where = f"panel {panel.get('title')!r}"
        if panel.get("type") not in {"timeseries", "stat"}:
            problems.append(f"{where}: type {panel.get('type')}")
        if panel.get("datasource") != {"type": "prometheus", "uid": "${datasource}"}:
            problems.append(f"{where}: datasource is not the dashboard's $datasource")
        if not panel.get("targets"):
            problems.append(f"{where}: no targets")
        for target in panel.get("targets", []):
            expr = target.get("expr", "")
            if not expr.strip():
                problems.append(f"{where}: a target without expr")
            unknown = unknown_metrics(expr)
            if unknown:
                problems.append(f"{where}: metrics outside the contract {sorted(unknown)}")
            leftover = set(re.findall(r"\$\w+", expr)) - {"$__rate_interval"}
            if leftover:
                problems.append(f"{where}: undefined variables {sorted(leftover)}")
    return problems


def test_committed_dashboards_are_the_generators_output() -> None:
    rendered = _generator().render()
    committed = {path.name: path.read_text() for path in DASHBOARDS.glob("*.json")}
    assert committed == rendered, "run: python infrastructure/observability/grafana/generate.py"


def test_the_generators_check_reports_a_hand_edited_dashboard(tmp_path: Path) -> None:
    generator = _generator()
    shutil.copytree(DASHBOARDS, tmp_path / "dashboards")
    generator.DASHBOARDS = tmp_path / "dashboards"
    assert generator.main(["--check"]) == 0
    edited = tmp_path / "dashboards" / "asset-service.json"
    edited.write_text(edited.read_text().replace('"30s"', '"5s"'))
    assert generator.main(["--check"]) == 1


def test_there_is_a_dashboard_per_service_and_an_overview_with_unique_uids() -> None:
    dashboards = _dashboards()
    assert set(dashboards) == {f"{service}.json" for service in SERVICES} | {"overview.json"}
    uids = [dashboard["uid"] for dashboard in dashboards.values()]
    assert len(uids) == len(set(uids))
    titles = [dashboard["title"] for dashboard in dashboards.values()]
    assert len(titles) == len(set(titles))
    for service in SERVICES:
        exprs = [t["expr"] for p in _panels(dashboards[f"{service}.json"]) for t in p["targets"]]
        # a service's dashboard shows that service only
        assert all(f'service="{service}"' in expr for expr in exprs), service


def test_every_dashboard_panel_reads_the_contract_metrics_through_the_datasource_variable() -> None:
    for name, dashboard in _dashboards().items():
        assert dashboard_problems(dashboard) == [], name
        assert 36 <= dashboard["schemaVersion"] <= 41, name


def test_the_dashboards_show_what_operators_look_for() -> None:
    exprs = " ".join(
        target["expr"]
        for dashboard in _dashboards().values()
        for panel in _panels(dashboard)
        for target in panel["targets"]
    )
    for metric in CONTRACT_METRICS - {
        "http_request_duration_seconds_sum",
        "http_request_duration_seconds_count",
    }:
        assert metric in exprs, metric
    notification = " ".join(
        t["expr"] for p in _panels(_dashboards()["notification-service.json"]) for t in p["targets"]
    )
    assert 'receipts_total{service="notification-service",status="failed"}' in notification
    for quantile in ("0.5", "0.99"):
        assert f"histogram_quantile({quantile}, sum by (route, le)" in exprs


def test_a_dashboard_with_a_misspelled_metric_or_no_datasource_is_reported() -> None:
    dashboard = _dashboards()["asset-service.json"]
    broken = copy.deepcopy(dashboard)
    panel = next(p for p in broken["panels"] if p["title"] == "Requests by route")
    panel["targets"][0]["expr"] = panel["targets"][0]["expr"].replace(
        "http_requests_total", "http_request_total"
    )
    stat = next(p for p in broken["panels"] if p["title"] == "Dead letters")
    del stat["datasource"]
    stat["targets"] = []
    assert dashboard_problems(broken) == [
        "panel 'Dead letters': datasource is not the dashboard's $datasource",
        "panel 'Dead letters': no targets",
        "panel 'Requests by route': metrics outside the contract ['http_request_total']",
    ]


def test_every_dashboard_expression_parses_as_promql(promtool: str, tmp_path: Path) -> None:
    exprs = [
        target["expr"]
        for dashboard in _dashboards().values()
        for panel in _panels(dashboard)
        for target in panel["targets"]
    ]
    assert promql_problems(exprs, promtool, tmp_path) == ""
    broken = exprs[0].removesuffix(")")  # an unclosed parenthesis
    assert promql_problems([broken], promtool, tmp_path) != ""


def test_grafana_provisions_prometheus_as_default_and_loads_the_dashboard_files() -> None:
    (datasources_file,) = (GRAFANA / "provisioning" / "datasources").glob("*.yml")
    datasources = load_yaml(datasources_file)["datasources"]
    defaults = [source for source in datasources if source.get("isDefault")]
    assert [source["type"] for source in defaults] == ["prometheus"]
    assert defaults[0]["url"].startswith("http://")
    (providers_file,) = (GRAFANA / "provisioning" / "dashboards").glob("*.yml")
    (provider,) = load_yaml(providers_file)["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"].startswith("/")


# --- OpenTelemetry collector -------------------------------------------------------------------


def collector_problems(config: dict[str, Any]) -> list[str]:
    """Pipelines and extensions that name components the configuration does not define, and
    processors out of the order the collector's documentation asks for."""
    problems = []
    service = config.get("service", {})
    for extension in service.get("extensions", []):
        if extension not in config.get("extensions", {}):
            problems.append(f"extension {extension} is not defined")
    pipelines = service.get("pipelines", {})
    if "traces" not in pipelines:
        problems.append("no traces pipeline")
    for name, pipeline in pipelines.items():
        for kind in ("receivers", "processors", "exporters"):
            if kind != "processors" and not pipeline.get(kind):
                problems.append(f"{name}: no {kind}")
            for component in pipeline.get(kind, []):
                if component not in (config.get(kind) or {}):
                    problems.append(f"{name}: {kind[:-1]} {component} is not defined")
        processors = pipeline.get("processors", [])
        if "memory_limiter" in processors and processors[0] != "memory_limiter":
            problems.append(f"{name}: memory_limiter is not first")
        if "batch" not in processors:
            problems.append(f"{name}: no batch processor")
    return problems


def test_collector_pipelines_use_only_defined_components() -> None:
    assert collector_problems(load_yaml(COLLECTOR)) == []


def test_collector_misconfigurations_are_reported() -> None:
    broken = load_yaml(COLLECTOR)
    traces = broken["service"]["pipelines"]["traces"]
    traces["exporters"].append("otlp/jaeger")
    traces["processors"] = ["batch", "memory_limiter"]
    del broken["receivers"]["otlp"]
    problems = collector_problems(broken)
    assert "traces: exporter otlp/jaeger is not defined" in problems
    assert "traces: memory_limiter is not first" in problems
    assert "traces: receiver otlp is not defined" in problems


def test_collector_takes_otlp_on_4317_and_4318_and_sends_traces_to_a_configured_backend() -> None:
    config = load_yaml(COLLECTOR)
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    assert protocols["http"]["endpoint"].endswith(":4318")
    traces = config["service"]["pipelines"]["traces"]
    backends = [name for name in traces["exporters"] if name.split("/")[0] in {"otlp", "otlphttp"}]
    assert backends, "traces go nowhere but the log"
    for backend in backends:
        assert re.fullmatch(r"\$\{env:[A-Z_]+\}", config["exporters"][backend]["endpoint"])
    assert "debug" in config["exporters"]
