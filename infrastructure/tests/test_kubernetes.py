"""Kubernetes: the kustomize overlays render, every rendered object is valid for the Kubernetes we
target, and the rendered system keeps its promises.

`kubectl kustomize` (Debian's kubectl) renders each overlay exactly as `kubectl apply -k` would;
kubernetes-validate checks every object against the API's own schemas, strictly (an unknown or
misspelt field fails). The scenario checks then read the rendered objects, not the source files,
so a patch of an overlay cannot quietly undo the base: every serving pod is probed, bounded and
non-root; the web app has the only Ingress; each service admits only the web app, the services
that call it and Prometheus; every Deployment has a disruption budget and every server an
autoscaler; production carries no Secret; every pod of a service migrates its schema first. Each
check is also shown a broken copy, so it can fail.
"""

from __future__ import annotations

import base64
import copy
import functools
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.tools import INFRA, ROOT, SERVICE_PORTS, debian_tool, run

KUBERNETES = INFRA / "kubernetes"
OVERLAYS = ("dev", "prod")
NAMESPACE = "tb-erp"
# The oldest minor we support and a current one; both bundled by kubernetes-validate.
KUBERNETES_VERSIONS = ("1.30.0", "1.34.0")

SERVICES = SERVICE_PORTS
WEB = "web-frontend"
# The commands a service runs once per deploy, besides `migrate` (which every pod runs first).
ONE_SHOTS = {
    "asset-service": {"sync-employees"},
    "invoice-service": {"sync-employees"},
    "dashboard-service": {"rebuild"},
}
# Who calls whom, from the code: every service asks the employee service for a token version Redis
# has lost (tb_platform.token_versions) and asset/invoice copy its employees (sync-employees); the
# dashboard's rebuild reads employees, assets and invoices; notification reads invoices.
CALLERS = {
    "employee-service": {
        "asset-service",
        "invoice-service",
        "dashboard-service",
        "notification-service",
    },
    "asset-service": {"dashboard-service"},
    "invoice-service": {"dashboard-service", "notification-service"},
    "dashboard-service": set(),
    "notification-service": set(),
}
_SERVICE_SETTINGS = {
    "DATABASE_URL",
    "REDIS_URL",
    "JWT_SECRET",
    "ENVIRONMENT",
    "EMPLOYEE_SERVICE_URL",
    "OTEL_SERVICE_NAME",
}
REQUIRED_SETTINGS = {
    "employee-service": _SERVICE_SETTINGS,
    "asset-service": _SERVICE_SETTINGS,
    "invoice-service": _SERVICE_SETTINGS,
    "dashboard-service": _SERVICE_SETTINGS | {"ASSET_SERVICE_URL", "INVOICE_SERVICE_URL"},
    "notification-service": _SERVICE_SETTINGS | {"INVOICE_SERVICE_URL", "SMTP_URL"},
    WEB: {
        "AUTH_SECRET",
        "AUTH_URL",
        "HOSTNAME",
        *(f"{svc.split('-')[0].upper()}_SERVICE_URL" for svc in SERVICES),
    },
}
PROMETHEUS = ("monitoring", {"app.kubernetes.io/name": "prometheus"})
INGRESS_CONTROLLER_NAMESPACE = "ingress-nginx"
HOSTS = {"dev": "tb-erp.dev.example", "prod": "erp.example.com"}
REGISTRIES = {"dev": "registry.dev.example/tb-erp/", "prod": "registry.example.com/tb-erp/"}
SECRET = "tb-erp-secrets"
SECRET_KEYS = {
    "database-url",
    "database-replica-url",
    "redis-url",
    "jwt-secret",
    "auth-secret",
    "smtp-url",
}

Doc = dict[str, Any]
Check = Callable[[list[Doc], str], list[str]]


# --- rendering ----------------------------------------------------------------------------------


def kustomize(directory: Path) -> list[Doc]:
    """The objects `kubectl apply -k directory` would send. A kubectl that cannot render fails the
    test: there is no second renderer to fall back on silently."""
    kubectl = debian_tool("kubectl", "kubectl")
    result = run([kubectl, "kustomize", str(directory)])
    assert result.returncode == 0, f"kubectl kustomize {directory} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@functools.cache
def _rendered(overlay: str) -> tuple[Doc, ...]:
    return tuple(kustomize(KUBERNETES / "overlays" / overlay))


def rendered(overlay: str) -> list[Doc]:
    """A private copy of the rendered overlay, which a test may break."""
    return copy.deepcopy(list(_rendered(overlay)))


# --- reading the rendered objects ---------------------------------------------------------------


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: list[Doc], kind: str, name: str) -> Doc:
    (found,) = [doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name]
    return found


def workloads(docs: list[Doc]) -> Iterator[tuple[str, Doc]]:
    """Every (label, pod template) of the Deployments and Jobs."""
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield f"{doc['kind']} {doc['metadata']['name']}", doc["spec"]["template"]


def containers(pod: Doc) -> list[Doc]:
    return [*pod["spec"].get("initContainers", []), *pod["spec"]["containers"]]


def component(doc: Doc) -> str:
    return doc["metadata"]["labels"].get("app.kubernetes.io/component", "")


def matches(selector: Doc, labels: dict[str, str]) -> bool:
    """Kubernetes' label selector semantics (matchLabels and matchExpressions). A Service's plain
    `selector` map is read as matchLabels."""
    if "selector" in selector:
        selector = {"matchLabels": selector["selector"]}
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$")
_FACTORS = {
    None: 1,
    "m": 0.001,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
}


def quantity(value: str | int) -> float:
    match = _QUANTITY.match(str(value))
    assert match, f"not a quantity: {value}"
    return float(match.group(1)) * _FACTORS[match.group(2)]


@functools.cache
def image_uid(app: str) -> int | None:
    """The numeric user the app's image runs as (the final stage's `USER uid:gid`)."""
    users = re.findall(r"^USER (\d+)", (ROOT / "apps" / app / "Dockerfile").read_text(), re.M)
    return int(users[-1]) if users else None


# --- the checks: each returns the problems it finds ---------------------------------------------


def schema_problems(docs: list[Doc], version: str) -> list[str]:
    problems = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            # It is jsonschema's error, copied: where in the object, and what is wrong there.
            where = "/".join(str(part) for part in exc.absolute_path)
            problems.append(f"{doc['kind']} {doc['metadata']['name']}: {where}: {exc.message}")
    return problems


def hardening_problems(docs: list[Doc], overlay: str) -> list[str]:
    """Non-root, read-only, no privilege, bounded: what the namespace's restricted Pod Security
    level demands, and resources a scheduler and the autoscaler can work with."""
    problems = []
    for label, pod in workloads(docs):
        spec = pod["spec"]
        pod_security = spec.get("securityContext", {})
        if pod_security.get("runAsNonRoot") is not True:
            problems.append(f"{label}: runAsNonRoot is not set")
        app = pod["metadata"]["labels"]["app.kubernetes.io/name"]
        if pod_security.get("runAsUser") != image_uid(app):
            problems.append(
                f"{label}: runs as uid {pod_security.get('runAsUser')}, its image's user is "
                f"{image_uid(app)}"
            )
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{label}: mounts a service account token it never uses")
        volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
        for container in containers(pod):
            where = f"{label} container {container['name']}"
            security = container.get("securityContext", {})
            seccomp = security.get("seccompProfile") or pod_security.get("seccompProfile") or {}
            if seccomp.get("type") != "RuntimeDefault":
                problems.append(f"{where}: seccomp profile is not RuntimeDefault")
            if security.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: may escalate privileges")
            if security.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: root filesystem is writable")
            if "ALL" not in security.get("capabilities", {}).get("drop", []):
                problems.append(f"{where}: keeps Linux capabilities")
            if security.get("runAsUser") == 0 or security.get("privileged"):
                problems.append(f"{where}: runs as root or privileged")
            # The path inside the container, not a temporary file of this test.
            tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]  # noqa: S108
            if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
                problems.append(f"{where}: no writable emptyDir on /tmp")
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(bound, {}):
                        problems.append(f"{where}: no {resource} {bound[:-1]}")
            for resource in ("cpu", "memory"):
                request = resources.get("requests", {}).get(resource)
                limit = resources.get("limits", {}).get(resource)
                if request and limit and quantity(request) > quantity(limit):
                    problems.append(f"{where}: {resource} request {request} above limit {limit}")
            memory_limit = resources.get("limits", {}).get("memory")
            # A service's RSS stays under 200 MB: a lower limit is an out-of-memory kill.
            if memory_limit and quantity(memory_limit) < 256 * 2**20:
                problems.append(f"{where}: memory limit {memory_limit} below the 200 MB RSS")
    return problems


def probe_problems(docs: list[Doc], overlay: str) -> list[str]:
    """A server is probed (readiness on its dependencies, liveness without them, so an outage of
    the database makes pods unready instead of restarting them all); a worker serves nothing."""
    problems = []
    expected = {**{svc: ("/ready", "/health") for svc in SERVICES}, WEB: ("/api/health",) * 2}
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        main = deployment["spec"]["template"]["spec"]["containers"][0]
        ports = {port.get("name") for port in main.get("ports", [])}
        if component(deployment) == "worker":
            if ports or "readinessProbe" in main:
                problems.append(f"worker {name} exposes a port or a readiness probe")
            continue
        if name not in expected:
            problems.append(f"Deployment {name} is neither a service, the web app nor a worker")
            continue
        for probe, path in zip(("readinessProbe", "livenessProbe"), expected[name], strict=True):
            http = main.get(probe, {}).get("httpGet")
            if not http:
                problems.append(f"Deployment {name}: no HTTP {probe}")
            elif http.get("path") != path or http.get("port") not in ports:
                problems.append(f"Deployment {name}: {probe} is {http}, expected {path} on http")
    return problems


def ingress_problems(docs: list[Doc], overlay: str) -> list[str]:
    """The web app is the only thing users reach: one Ingress, to it, over TLS, on the overlay's
    host, which is also the URL the web app believes it is served at."""
    ingresses = of_kind(docs, "Ingress")
    if len(ingresses) != 1:
        return [f"{len(ingresses)} Ingresses: {[i['metadata']['name'] for i in ingresses]}"]
    problems = []
    spec = ingresses[0]["spec"]
    host = HOSTS[overlay]
    backends = {
        path["backend"]["service"]["name"]
        for rule in spec["rules"]
        for path in rule["http"]["paths"]
    }
    if backends != {WEB}:
        problems.append(f"the Ingress reaches {sorted(backends)}, not only {WEB}")
    if [rule.get("host") for rule in spec["rules"]] != [host]:
        problems.append(f"the Ingress serves {[r.get('host') for r in spec['rules']]}, not {host}")
    tls = spec.get("tls", [])
    if not tls or tls[0].get("hosts") != [host] or not tls[0].get("secretName"):
        problems.append(f"the Ingress has no TLS certificate for {host}")
    auth_urls = {cm["data"].get("AUTH_URL") for cm in of_kind(docs, "ConfigMap")}
    if auth_urls != {f"https://{host}"}:
        problems.append(f"AUTH_URL is {auth_urls}, not https://{host}")
    return problems


def _admitted(policy_rules: list[Doc], pods: dict[str, dict[str, str]]) -> tuple[set, set, list]:
    """Which pods of the namespace, which outside peers and which loopholes a set of ingress
    rules lets in."""
    inside, outside, loopholes = set(), set(), []
    for rule in policy_rules:
        if not rule.get("from"):
            loopholes.append("a rule without `from` admits every source")
        if not rule.get("ports"):
            loopholes.append("a rule without `ports` opens every port")
        for peer in rule.get("from", []):
            if "ipBlock" in peer:
                loopholes.append(f"an ipBlock {peer['ipBlock']}")
            elif "namespaceSelector" in peer:
                namespace = peer["namespaceSelector"].get("matchLabels", {})
                name = namespace.get("kubernetes.io/metadata.name", "<any namespace>")
                outside.add((name, yaml.safe_dump(peer.get("podSelector", {}), sort_keys=True)))
            else:
                selector = peer.get("podSelector", {})
                if not selector:
                    loopholes.append("an empty podSelector admits every pod of the namespace")
                inside |= {label for label, labels in pods.items() if matches(selector, labels)}
    return inside, outside, loopholes


def network_problems(docs: list[Doc], overlay: str) -> list[str]:
    """Ingress is closed by default; each service admits, on its own port only, exactly the web
    app, the pods of the services that call it and Prometheus; the web app admits only the ingress
    controller."""
    problems = []
    policies = of_kind(docs, "NetworkPolicy")
    if not any(
        p["spec"]["podSelector"] == {}
        and "Ingress" in p["spec"].get("policyTypes", [])
        and not p["spec"].get("ingress")
        for p in policies
    ):
        problems.append("no default-deny ingress policy for the namespace")
    templates = dict(workloads(docs))
    pods = {label: pod["metadata"]["labels"] for label, pod in templates.items()}
    prometheus = (PROMETHEUS[0], yaml.safe_dump({"matchLabels": PROMETHEUS[1]}, sort_keys=True))
    ingress_controller = (INGRESS_CONTROLLER_NAMESPACE, yaml.safe_dump({}, sort_keys=True))
    for service in of_kind(docs, "Service"):
        name = service["metadata"]["name"]
        selected = {label for label, labels in pods.items() if matches(service["spec"], labels)}
        covering = [
            p
            for p in policies
            if p["spec"]["podSelector"] != {}
            and any(matches(p["spec"]["podSelector"], pods[label]) for label in selected)
        ]
        if not covering:
            problems.append(f"Service {name}: no NetworkPolicy selects its pods")
            continue
        rules = [rule for p in covering for rule in p["spec"].get("ingress", [])]
        inside, outside, loopholes = _admitted(rules, pods)
        problems += [f"Service {name}: {loophole}" for loophole in loopholes]
        served = {
            port["containerPort"]
            for label in selected
            for port in templates[label]["spec"]["containers"][0].get("ports", [])
        }
        opened = {port["port"] for rule in rules for port in rule.get("ports", [])}
        if opened - served:
            problems.append(
                f"Service {name}: opens ports {sorted(opened - served)} it does not serve"
            )
        if name == WEB:
            callers, expected_outside = set(), {ingress_controller}
        else:
            callers, expected_outside = {WEB} | CALLERS[name], {prometheus}
        allowed = {
            label for label, labels in pods.items() if labels["app.kubernetes.io/name"] in callers
        }
        if outside != expected_outside:
            problems.append(f"Service {name}: admits from outside {sorted(outside)}")
        if inside - allowed:
            problems.append(f"Service {name}: admits {sorted(inside - allowed)}")
        if allowed - inside:
            problems.append(f"Service {name}: cannot be reached by {sorted(allowed - inside)}")
    return problems


def availability_problems(docs: list[Doc], overlay: str) -> list[str]:
    """Every Deployment has a disruption budget that still lets a node drain, and every server an
    autoscaler that owns its replica count; production runs two of everything."""
    problems = []
    budgets = of_kind(docs, "PodDisruptionBudget")
    autoscalers = of_kind(docs, "HorizontalPodAutoscaler")
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        mine = [b for b in budgets if matches(b["spec"]["selector"], labels)]
        scalers = [
            a
            for a in autoscalers
            if a["spec"]["scaleTargetRef"]
            == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        ]
        if len(mine) != 1:
            problems.append(f"Deployment {name}: {len(mine)} PodDisruptionBudgets select it")
        if component(deployment) == "worker":
            # Fixed replicas: one relay publishes at a time, so CPU does not measure its need.
            least = deployment["spec"].get("replicas", 1)
            if scalers:
                problems.append(f"worker {name} has an autoscaler")
        else:
            if len(scalers) != 1:
                problems.append(f"Deployment {name}: {len(scalers)} autoscalers target it")
                continue
            if "replicas" in deployment["spec"]:
                problems.append(f"Deployment {name}: sets replicas that its autoscaler owns")
            least = scalers[0]["spec"]["minReplicas"]
            metrics = scalers[0]["spec"].get("metrics", [])
            if not any(m.get("resource", {}).get("name") == "cpu" for m in metrics):
                problems.append(f"autoscaler {name}: does not scale on CPU")
        if overlay == "prod" and least < 2:
            problems.append(f"Deployment {name}: {least} replica in production")
        for budget in mine:
            spec = budget["spec"]
            if "minAvailable" in spec and "maxUnavailable" in spec:
                problems.append(f"budget {budget['metadata']['name']}: both bounds set")
            if spec.get("minAvailable", 0) >= least or spec.get("maxUnavailable", 1) == 0:
                problems.append(
                    f"budget {budget['metadata']['name']}: no pod of {name} may ever be evicted"
                )
    return problems


def _secret_refs(docs: list[Doc]) -> Iterator[tuple[str, Doc]]:
    for label, pod in workloads(docs):
        for container in containers(pod):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    yield f"{label} {container['name']} {env['name']}", ref


def config_problems(docs: list[Doc], overlay: str) -> list[str]:
    """Every object is in the namespace; every reference to a ConfigMap or Secret resolves; no
    secret sits in a ConfigMap; production carries no Secret at all (the secret manager creates
    tb-erp-secrets), and development's are obviously not real."""
    problems = []
    for doc in docs:
        if doc["kind"] != "Namespace" and doc["metadata"].get("namespace") != NAMESPACE:
            problems.append(f"{doc['kind']} {doc['metadata']['name']} is not in {NAMESPACE}")
    secrets = {s["metadata"]["name"]: s for s in of_kind(docs, "Secret")}
    config_maps = {c["metadata"]["name"]: c for c in of_kind(docs, "ConfigMap")}
    for label, pod in workloads(docs):
        for container in containers(pod):
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef", {}).get("name")
                if ref and ref not in config_maps:
                    problems.append(f"{label}: ConfigMap {ref} is not rendered")
    for where, ref in _secret_refs(docs):
        if ref["key"] not in SECRET_KEYS:
            problems.append(f"{where}: key {ref['key']} is not one of {SECRET}'s")
        if overlay == "prod":
            if ref["name"] != SECRET:
                problems.append(f"{where}: reads Secret {ref['name']}, not {SECRET}")
        elif ref["name"] not in secrets:
            problems.append(f"{where}: Secret {ref['name']} is not rendered")
        elif ref["key"] not in secrets[ref["name"]].get("data", {}) and not ref.get("optional"):
            problems.append(f"{where}: Secret {ref['name']} has no {ref['key']}")
    if overlay == "prod" and secrets:
        problems.append(f"production renders Secrets {sorted(secrets)}")
    for name, secret in secrets.items():
        for key, value in secret.get("data", {}).items():
            if "dev" not in base64.b64decode(value).decode():
                problems.append(f"Secret {name}: {key} does not look like a development value")
    credential = re.compile(r"://[^/\s:@]+:[^/\s@]+@")
    for name, config_map in config_maps.items():
        for key, value in config_map.get("data", {}).items():
            if credential.search(value) or re.search(r"SECRET|PASSWORD|TOKEN", key):
                problems.append(f"ConfigMap {name}: {key} holds a credential")
    return problems


def settings_problems(docs: list[Doc], overlay: str) -> list[str]:
    """Every container gets the settings its program reads, and each *_SERVICE_URL names a
    Service of the system on the port it serves."""
    problems = []
    config_maps = {c["metadata"]["name"]: c.get("data", {}) for c in of_kind(docs, "ConfigMap")}
    services = {
        s["metadata"]["name"]: {port["port"] for port in s["spec"]["ports"]}
        for s in of_kind(docs, "Service")
    }
    for label, pod in workloads(docs):
        app = pod["metadata"]["labels"]["app.kubernetes.io/name"]
        for container in containers(pod):
            settings = {env["name"]: env.get("value") for env in container.get("env", [])}
            for source in container.get("envFrom", []):
                settings |= config_maps.get(source.get("configMapRef", {}).get("name"), {})
            missing = REQUIRED_SETTINGS[app] - settings.keys()
            if missing:
                problems.append(f"{label} container {container['name']}: no {sorted(missing)}")
            for key, value in settings.items():
                if key.endswith("_SERVICE_URL"):
                    url = re.fullmatch(r"http://([a-z-]+):(\d+)", value or "")
                    if not url or int(url.group(2)) not in services.get(url.group(1), set()):
                        problems.append(f"{label}: {key}={value} is no Service of the system")
    return problems


def migration_problems(docs: list[Doc], overlay: str) -> list[str]:
    """Every pod that touches a service's schema (API, worker, one-shot job) first runs
    `<service> migrate` from its own image; each service has its worker and its one-shot jobs."""
    problems = []
    pods = dict(workloads(docs))
    for service in SERVICES:
        mine = {
            label: pod
            for label, pod in pods.items()
            if pod["metadata"]["labels"].get("app.kubernetes.io/name") == service
        }
        commands = {}
        for label, pod in mine.items():
            main = pod["spec"]["containers"][0]
            commands[tuple(main.get("command", []))] = label
            migrate = [
                c
                for c in pod["spec"].get("initContainers", [])
                if c.get("command") == [service, "migrate"]
            ]
            if not migrate:
                problems.append(f"{label}: does not run `{service} migrate` before it starts")
            elif migrate[0]["image"] != main["image"]:
                problems.append(
                    f"{label}: migrates with {migrate[0]['image']}, runs {main['image']}"
                )
            elif {e["name"] for e in migrate[0].get("env", [])} != {
                e["name"] for e in main.get("env", [])
            }:
                problems.append(f"{label}: migrates with other settings than it runs with")
        if (service, "worker") not in commands:
            problems.append(f"{service}: no `{service} worker` Deployment")
        if not any(command[:2] == (service, "serve") for command in commands):
            problems.append(f"{service}: no `{service} serve` Deployment")
        for one_shot in ONE_SHOTS.get(service, set()):
            label = commands.get((service, one_shot))
            if not label or not label.startswith("Job "):
                problems.append(f"{service}: no Job runs `{service} {one_shot}`")
                continue
            job = named(docs, "Job", label.removeprefix("Job "))
            if not job["spec"].get("ttlSecondsAfterFinished"):
                problems.append(f"{label}: never deleted, so the next deploy cannot re-create it")
            if not job["spec"].get("backoffLimit"):
                problems.append(f"{label}: not retried while the services it reads start")
    return problems


def image_problems(docs: list[Doc], overlay: str) -> list[str]:
    """Images come from the overlay's registry; production's are pinned to a release."""
    problems = []
    for label, pod in workloads(docs):
        for container in containers(pod):
            image = container["image"]
            tag = "digest" if "@" in image else image.rpartition(":")[2]
            if not image.startswith(REGISTRIES[overlay]):
                problems.append(f"{label}: {image} is not from {REGISTRIES[overlay]}")
            if overlay == "prod" and (not tag or "/" in tag or tag == "latest"):
                problems.append(f"{label}: {image} is not pinned to a release")
    return problems


def metrics_problems(docs: list[Doc], overlay: str) -> list[str]:
    """Prometheus finds each service's /metrics on the port named http (the Kubernetes job of
    observability/prometheus keeps exactly those pods)."""
    problems = []
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        if name not in SERVICES:
            continue
        template = deployment["spec"]["template"]
        (port,) = template["spec"]["containers"][0]["ports"]
        annotations = template["metadata"].get("annotations", {})
        if port["name"] != "http" or port["containerPort"] != SERVICES[name]:
            problems.append(f"{name}: serves {port}, not http on {SERVICES[name]}")
        if annotations.get("prometheus.io/port") != str(SERVICES[name]):
            problems.append(f"{name}: the scrape annotations do not name port {SERVICES[name]}")
        if template["metadata"]["labels"].get("app.kubernetes.io/part-of") != "tb-erp":
            problems.append(f"{name}: its pods lack app.kubernetes.io/part-of=tb-erp")
    return problems


CHECKS: dict[str, Check] = {
    "hardening": hardening_problems,
    "probes": probe_problems,
    "ingress": ingress_problems,
    "network": network_problems,
    "availability": availability_problems,
    "config": config_problems,
    "settings": settings_problems,
    "migrations": migration_problems,
    "images": image_problems,
    "metrics": metrics_problems,
}


# --- the overlays as written --------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid_kubernetes(overlay: str, version: str) -> None:
    assert schema_problems(rendered(overlay), version) == []


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_rendered_overlay_keeps_its_promises(overlay: str, check: str) -> None:
    assert CHECKS[check](rendered(overlay), overlay) == []


def test_the_overlays_render_the_whole_system() -> None:
    for overlay in OVERLAYS:
        docs = rendered(overlay)
        deployments = {d["metadata"]["name"] for d in of_kind(docs, "Deployment")}
        assert deployments == {WEB, *SERVICES, *(f"{svc}-worker" for svc in SERVICES)}
        assert {s["metadata"]["name"] for s in of_kind(docs, "Service")} == {WEB, *SERVICES}
        assert named(docs, "Namespace", NAMESPACE)


def test_development_runs_one_replica_of_everything_and_production_two() -> None:
    for overlay, least, most in (("dev", 1, 1), ("prod", 2, None)):
        docs = rendered(overlay)
        for scaler in of_kind(docs, "HorizontalPodAutoscaler"):
            assert scaler["spec"]["minReplicas"] == least, scaler["metadata"]["name"]
            if most:
                assert scaler["spec"]["maxReplicas"] == most, scaler["metadata"]["name"]
        for worker in (d for d in of_kind(docs, "Deployment") if component(d) == "worker"):
            assert worker["spec"]["replicas"] == least
    for budget in of_kind(rendered("prod"), "PodDisruptionBudget"):
        assert budget["spec"].get("minAvailable") == 1, budget["metadata"]["name"]
        assert "maxUnavailable" not in budget["spec"], budget["metadata"]["name"]


# --- each check can fail ------------------------------------------------------------------------


def _main(docs: list[Doc], kind: str, name: str) -> Doc:
    return named(docs, kind, name)["spec"]["template"]["spec"]["containers"][0]


def _policy(docs: list[Doc], name: str) -> Doc:
    return named(docs, "NetworkPolicy", name)["spec"]


def _second_ingress(docs: list[Doc]) -> None:
    extra = copy.deepcopy(of_kind(docs, "Ingress")[0])
    extra["metadata"]["name"] = "asset-service"
    extra["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] = "asset-service"
    docs.append(extra)


def _drop(docs: list[Doc], kind: str, name: str) -> None:
    docs.remove(named(docs, kind, name))


BREAKAGES: list[tuple[str, Callable[[list[Doc]], None], str]] = [
    (
        "hardening",
        lambda d: named(d, "Deployment", "asset-service")["spec"]["template"]["spec"][
            "securityContext"
        ].pop("runAsNonRoot"),
        "Deployment asset-service: runAsNonRoot",
    ),
    (
        "hardening",
        lambda d: _main(d, "Job", "dashboard-service-rebuild")["securityContext"].update(
            readOnlyRootFilesystem=False
        ),
        "Job dashboard-service-rebuild container rebuild: root filesystem is writable",
    ),
    (
        "hardening",
        lambda d: _main(d, "Deployment", "invoice-service")["resources"]["requests"].update(
            cpu="2"
        ),
        "cpu request 2 above limit",
    ),
    (
        "hardening",
        lambda d: named(d, "Deployment", "web-frontend")["spec"]["template"]["spec"][
            "securityContext"
        ].update(runAsUser=1000),
        "Deployment web-frontend: runs as uid 1000, its image's user is 10001",
    ),
    (
        "probes",
        lambda d: _main(d, "Deployment", "asset-service").pop("readinessProbe"),
        "Deployment asset-service: no HTTP readinessProbe",
    ),
    (
        "probes",
        lambda d: _main(d, "Deployment", "employee-service")["livenessProbe"]["httpGet"].update(
            path="/ready"
        ),
        "Deployment employee-service: livenessProbe",
    ),
    ("ingress", _second_ingress, "2 Ingresses"),
    (
        "network",
        lambda d: _policy(d, "dashboard-service-ingress")["ingress"][0]["from"].append(
            {"podSelector": {}}
        ),
        "Service dashboard-service: an empty podSelector",
    ),
    (
        "network",
        lambda d: _policy(d, "asset-service-ingress")["ingress"][0]["from"][1]["podSelector"][
            "matchExpressions"
        ][1]["values"].append("notification-service"),
        "Service asset-service: admits ['Deployment notification-service'",
    ),
    (
        "network",
        lambda d: _drop(d, "NetworkPolicy", "default-deny-ingress"),
        "no default-deny ingress policy",
    ),
    (
        "network",
        lambda d: _policy(d, "web-frontend-ingress")["ingress"][0]["from"][0][
            "namespaceSelector"
        ].update(matchLabels={}),
        "Service web-frontend: admits",
    ),
    (
        "availability",
        lambda d: _drop(d, "PodDisruptionBudget", "invoice-service-worker"),
        "Deployment invoice-service-worker: 0 PodDisruptionBudgets",
    ),
    (
        "availability",
        lambda d: _drop(d, "HorizontalPodAutoscaler", "web-frontend"),
        "Deployment web-frontend: 0 autoscalers",
    ),
    (
        "availability",
        lambda d: named(d, "PodDisruptionBudget", "asset-service")["spec"].update(minAvailable=2),
        "budget asset-service: no pod of asset-service may ever be evicted",
    ),
    (
        "config",
        lambda d: d.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": SECRET, "namespace": NAMESPACE},
                "data": {"jwt-secret": "c3VwZXItc2VjcmV0LXByb2R1Y3Rpb24ta2V5"},
            }
        ),
        "production renders Secrets",
    ),
    (
        "config",
        lambda d: of_kind(d, "ConfigMap")[0]["data"].update(
            DATABASE_URL="postgresql://tberp:hunter2@db:5432/tberp"
        ),
        "DATABASE_URL holds a credential",
    ),
    (
        "settings",
        lambda d: _main(d, "Deployment", "notification-service-worker")["env"].pop(),
        "Deployment notification-service-worker container worker: no ['SMTP_URL']",
    ),
    (
        "settings",
        lambda d: of_kind(d, "ConfigMap")[0]["data"].update(
            INVOICE_SERVICE_URL="http://invoice-service:8080"
        ),
        "INVOICE_SERVICE_URL=http://invoice-service:8080 is no Service",
    ),
    (
        "network",
        lambda d: _policy(d, "employee-service-ingress")["ingress"].append({"ports": []}),
        "Service employee-service: a rule without `from`",
    ),
    (
        "migrations",
        lambda d: named(d, "Deployment", "dashboard-service-worker")["spec"]["template"][
            "spec"
        ].pop("initContainers"),
        "Deployment dashboard-service-worker: does not run `dashboard-service migrate`",
    ),
    (
        "migrations",
        lambda d: _drop(d, "Job", "invoice-service-sync-employees"),
        "invoice-service: no Job runs `invoice-service sync-employees`",
    ),
    (
        "images",
        lambda d: _main(d, "Deployment", "web-frontend").update(
            image="registry.example.com/tb-erp/web-frontend:latest"
        ),
        "is not pinned to a release",
    ),
    (
        "metrics",
        lambda d: named(d, "Deployment", "notification-service")["spec"]["template"]["metadata"][
            "annotations"
        ].pop("prometheus.io/port"),
        "notification-service: the scrape annotations",
    ),
]


@pytest.mark.parametrize(
    ("check", "breakage", "reported"),
    BREAKAGES,
    ids=[f"{check}-{i}" for i, (check, _, _) in enumerate(BREAKAGES)],
)
def test_a_check_reports_a_broken_copy_of_production(
    check: str, breakage: Callable[[list[Doc]], None], reported: str
) -> None:
    docs = rendered("prod")
    assert CHECKS[check](docs, "prod") == []
    breakage(docs)
    problems = CHECKS[check](docs, "prod")
    assert any(reported in problem for problem in problems), problems


def test_strict_validation_rejects_a_misspelt_field() -> None:
    deployment = named(rendered("prod"), "Deployment", "asset-service")
    assert schema_problems([deployment], KUBERNETES_VERSIONS[0]) == []
    _main([deployment], "Deployment", "asset-service")["readinesProbe"] = {"httpGet": {}}
    problems = schema_problems([deployment], KUBERNETES_VERSIONS[0])
    assert any("asset-service" in p and "readinesProbe" in p for p in problems), problems


def test_an_overlay_without_the_namespace_leaves_its_secret_unreferenced(tmp_path: Path) -> None:
    # The bug this check caught while the overlays were written: the base sets the namespace, an
    # overlay that does not put its generated Secret in the default namespace, and the pods keep
    # asking for the unhashed tb-erp-secrets, which does not exist.
    copied = tmp_path / "kubernetes"
    shutil.copytree(KUBERNETES, copied)
    kustomization = copied / "overlays" / "dev" / "kustomization.yaml"
    text = kustomization.read_text()
    assert f"\nnamespace: {NAMESPACE}\n" in text
    kustomization.write_text(text.replace(f"\nnamespace: {NAMESPACE}\n", "\n"))
    problems = config_problems(kustomize(copied / "overlays" / "dev"), "dev")
    assert any("is not in tb-erp" in p for p in problems), problems
    assert any(f"Secret {SECRET} is not rendered" in p for p in problems), problems
