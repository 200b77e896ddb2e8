"""The container images and the compose file, checked offline.

The Dockerfiles are read as text (stages, instructions) and linted with hadolint; the compose
file is resolved by docker-compose itself (`config`: anchors, merges and variables applied) and
the result is checked for what the architecture says: who is reachable from where, what each
container needs to start, and in which order they start. What the repository already declares
(the uv workspace's members, the npm workspaces, the pinned uv, each service's port) is read from
its own files, never repeated here. Each rule is a function that returns what it finds wrong, so
a test can show it rejecting a broken copy.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import shlex
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from .tools import INFRA, ROOT, SERVICE_PORTS, debian_tool, python_tool, run

COMPOSE_FILE = INFRA / "docker-compose.yml"
SECRETS = ("JWT_SECRET", "AUTH_SECRET", "POSTGRES_PASSWORD")
DUMMY_SECRETS = {name: f"dummy-{name.lower()}-" + "x" * 32 for name in SECRETS}
SERVICE_UID = "10001"
# Where a container's server listens: every interface of its own network namespace.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104


def _load_render() -> Any:
    # Loaded from its path: a folder named `docker` on sys.path would shadow the docker SDK.
    spec = importlib.util.spec_from_file_location("tb_render", INFRA / "docker" / "render.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _load_render()
SERVICES: dict[str, int] = render.SERVICES
WEB_APP = "web-frontend"


# --- what the repository declares ------------------------------------------------------------


def uv_members() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return pyproject["tool"]["uv"]["workspace"]["members"]


def npm_workspaces() -> list[str]:
    globs = json.loads((ROOT / "package.json").read_text())["workspaces"]
    return sorted(
        manifest.parent.relative_to(ROOT).as_posix()
        for pattern in globs
        for manifest in ROOT.glob(f"{pattern}/package.json")
    )


def pinned_uv_version() -> str:
    found = re.search(r'^UV_VERSION = "([^"]+)"', (ROOT / "tberp.py").read_text(), re.MULTILINE)
    assert found, "tberp.py pins no UV_VERSION"
    return found.group(1)


def configured_port(service: str) -> int:
    """The port in the service's own settings (app/core/config.py)."""
    config = (ROOT / "apps" / service / "app" / "core" / "config.py").read_text()
    found = re.search(r"^\s+port: int = (?:Field\(default=)?(\d+)", config, re.MULTILINE)
    assert found, f"{service}: no port default in app/core/config.py"
    return int(found.group(1))


# --- Dockerfiles as data ---------------------------------------------------------------------


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None


def parse_dockerfile(text: str) -> list[Stage]:
    """The stages of a Dockerfile, each with its instructions (continuation lines joined)."""
    stages: list[Stage] = []
    logical = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not logical and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        keyword, _, args = logical.partition(" ")
        keyword, args, logical = keyword.upper(), args.strip(), ""
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        else:
            stages[-1].instructions.append((keyword, args))
    return stages


def exec_form(args: str) -> list[str]:
    """CMD/HEALTHCHECK CMD arguments as a list (JSON exec form, else shell words)."""
    args = args.strip()
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def dockerfile(app: str) -> Path:
    return ROOT / "apps" / app / "Dockerfile"


def drift(path: Path, expected: str) -> str | None:
    """Why the Dockerfile at `path` is not the template's render, or None."""
    actual = path.read_text() if path.exists() else ""
    if actual == expected:
        return None
    for number, (have, want) in enumerate(
        zip(actual.splitlines(), expected.splitlines(), strict=False), 1
    ):
        if have != want:
            return f"{path.name} line {number}: {have!r}, the template renders {want!r}"
    return f"{path.name}: {len(actual.splitlines())} lines, the template renders {len(expected.splitlines())}"


def dependency_layer_problems(
    text: str, members: list[str], manifest: str, install: str
) -> list[str]:
    """The dependencies layer must be built from the lock and every workspace's manifest alone.

    Everything copied into the build stage before the first `install` command must be a lock file
    or a manifest (so the layer is reused until one of them changes), and every member's manifest
    must be among them (the package manager reads the whole workspace).
    """
    build = parse_dockerfile(text)[0]
    copied: list[str] = []
    for keyword, args in build.instructions:
        if keyword == "RUN" and install in args:
            break
        if keyword == "COPY" and not args.startswith("--from="):
            copied.extend(args.split()[:-1])
    else:
        return [f"no RUN with {install!r} in the build stage"]
    problems = [
        f"{member}/{manifest} is not copied before {install}"
        for member in members
        if f"{member}/{manifest}" not in copied
    ]
    lock_and_manifests = {"pyproject.toml", "uv.lock", "package.json", "package-lock.json"}
    problems += [
        f"{source} is copied into the dependencies layer"
        for source in copied
        if Path(source).name not in lock_and_manifests
    ]
    return problems


def runtime_problems(text: str, health_path: str, port: int) -> list[str]:
    """The final stage runs as the non-root uid, checks its health, and serves on its port."""
    final = parse_dockerfile(text)[-1]
    problems = []
    user = final.last("USER")
    if user is None or user.split(":")[0] != SERVICE_UID:
        problems.append(f"the image runs as {user or 'root'}, not uid {SERVICE_UID}")
    healthcheck = final.last("HEALTHCHECK")
    if healthcheck is None or "CMD" not in healthcheck:
        problems.append("the image has no HEALTHCHECK")
    elif f"127.0.0.1:{port}{health_path}" not in healthcheck:
        problems.append(f"the HEALTHCHECK does not ask {health_path} on port {port}: {healthcheck}")
    if final.all("EXPOSE") != [str(port)]:
        problems.append(f"the image exposes {final.all('EXPOSE')}, not {port}")
    return problems


# --- the Python services' images --------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_every_python_service_is_built_from_the_one_template(service: str) -> None:
    assert drift(dockerfile(service), render.render_python_service(service)) is None, (
        "run `python3 infrastructure/docker/render.py` after editing the template"
    )


def normalised(service: str, text: str) -> str:
    """The Dockerfile with its service's name and port replaced by placeholders.

    The lines copying the workspace's manifests go: they name every service, in the workspace's
    order (the manifest test checks them).
    """
    text = re.sub(r"^COPY \S+/pyproject\.toml \S+/\n", "", text, flags=re.MULTILINE)
    text = text.replace(service, "<service>").replace(str(SERVICES[service]), "<port>")
    return text.replace(f"{service.split('-')[0]}_service", "<package>")


def pattern_outliers(texts: dict[str, str]) -> list[str]:
    """The services whose Dockerfile, names and ports aside, is not the most common one."""
    shapes = {service: normalised(service, text) for service, text in texts.items()}
    common = max(set(shapes.values()), key=list(shapes.values()).count)
    return sorted(service for service, shape in shapes.items() if shape != common)


def test_the_python_dockerfiles_differ_only_in_the_service_name_and_port() -> None:
    # Independent of render.py: even a renderer bug cannot give one service another recipe.
    texts = {service: dockerfile(service).read_text() for service in SERVICES}
    assert pattern_outliers(texts) == []
    texts["notification-service"] = texts["notification-service"].replace(
        "USER 10001:10001", "USER 10001:10001\nENV LOG_LEVEL=debug"
    )
    assert pattern_outliers(texts) == ["notification-service"]


def test_a_dockerfile_edited_by_hand_is_caught_as_drift(tmp_path: Path) -> None:
    edited = tmp_path / "Dockerfile"
    text = render.render_python_service("asset-service")
    edited.write_text(text.replace("--no-dev ", "", 1))
    assert "line" in (drift(edited, text) or "")
    edited.write_text(text + "RUN pip install debugpy\n")
    assert drift(edited, text)


def test_the_web_app_dockerfile_is_rendered_from_its_template() -> None:
    assert drift(dockerfile(WEB_APP), render.render_web_frontend()) is None


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_image_installs_its_locked_runtime_dependencies_only(service: str) -> None:
    text = dockerfile(service).read_text()
    build, final = parse_dockerfile(text)
    assert f"ghcr.io/astral-sh/uv:{pinned_uv_version()}" in " ".join(build.all("COPY"))
    syncs = [args for args in build.all("RUN") if "uv sync" in args]
    assert len(syncs) == 2, "one sync for the dependencies, one for the code"
    for sync in syncs:
        assert f"--frozen --no-dev --package {service}" in sync, sync
    assert "--no-install-workspace" in syncs[0]
    # The final stage copies the build's result and installs nothing itself.
    assert not [args for args in final.all("RUN") if re.search(r"\b(uv|pip)\b", args)]
    assert "ENVIRONMENT=production" in " ".join(final.all("ENV"))


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_image_resolves_the_whole_uv_workspace_from_the_lock(service: str) -> None:
    text = dockerfile(service).read_text()
    assert dependency_layer_problems(text, uv_members(), "pyproject.toml", "uv sync") == []


def test_a_dockerfile_missing_a_member_manifest_or_caching_code_is_rejected() -> None:
    text = dockerfile("asset-service").read_text()
    members = uv_members()
    missing = text.replace(f"COPY {members[-1]}/pyproject.toml {members[-1]}/\n", "")
    assert dependency_layer_problems(missing, members, "pyproject.toml", "uv sync") == [
        f"{members[-1]}/pyproject.toml is not copied before uv sync"
    ]
    # Copying the code before the first sync would rebuild the dependencies on every change.
    early = text.replace(
        "COPY pyproject.toml uv.lock ./", "COPY . .\nCOPY pyproject.toml uv.lock ./"
    )
    assert dependency_layer_problems(early, members, "pyproject.toml", "uv sync") == [
        ". is copied into the dependencies layer"
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_image_copies_the_code_of_every_workspace_package_it_imports(
    service: str,
) -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    packages = {package["name"]: package for package in lock["package"]}
    needed, pending = set(), [service]
    while pending:
        package = packages[pending.pop()]
        folder = package.get("source", {}).get("editable")
        if folder and folder not in needed:
            needed.add(folder)
            pending.extend(dep["name"] for dep in package.get("dependencies", []))
    build = parse_dockerfile(dockerfile(service).read_text())[0]
    copied = {args.split()[0] for args in build.all("COPY")}
    assert needed <= copied, f"the second uv sync needs {sorted(needed - copied)}"
    assert "packages/tb-devstack" not in copied, "the developer stack is not part of an image"


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_image_runs_as_non_root_and_checks_its_health(service: str) -> None:
    port = configured_port(service)
    assert port == SERVICES[service], "render.py and the service's settings disagree on the port"
    text = dockerfile(service).read_text()
    assert runtime_problems(text, "/health", port) == []
    cmd = exec_form(parse_dockerfile(text)[-1].last("CMD") or "[]")
    assert cmd == [service, "serve", "--host", ALL_INTERFACES, "--port", str(port)]


def test_an_image_running_as_root_or_without_a_healthcheck_is_rejected() -> None:
    text = dockerfile("invoice-service").read_text()
    as_root = text.replace("USER 10001:10001", "USER root")
    assert runtime_problems(as_root, "/health", 8003) == ["the image runs as root, not uid 10001"]
    unchecked = re.sub(r"HEALTHCHECK .*?\n(?=CMD \[)", "", text, flags=re.DOTALL)
    assert runtime_problems(unchecked, "/health", 8003) == ["the image has no HEALTHCHECK"]
    assert runtime_problems(text, "/health", 8004)  # another service's port


# --- the web app's image ----------------------------------------------------------------------


def test_the_web_image_installs_from_every_npm_workspace_manifest() -> None:
    text = dockerfile(WEB_APP).read_text()
    workspaces = npm_workspaces()
    assert "infrastructure" in workspaces
    assert f"apps/{WEB_APP}" in workspaces
    assert dependency_layer_problems(text, workspaces, "package.json", "npm ci") == []
    assert "package-lock.json" in " ".join(parse_dockerfile(text)[0].all("COPY"))


def test_the_web_image_serves_the_standalone_build_as_non_root() -> None:
    assert re.search(
        r'output:\s*"standalone"', (ROOT / "apps" / WEB_APP / "next.config.ts").read_text()
    )
    text = dockerfile(WEB_APP).read_text()
    assert runtime_problems(text, "/api/health", 3000) == []
    final = parse_dockerfile(text)[-1]
    assert ".next/standalone" in " ".join(final.all("COPY"))
    env = " ".join(final.all("ENV"))
    assert "NEXT_TELEMETRY_DISABLED=1" in env
    assert "NODE_ENV=production" in env
    assert exec_form(final.last("CMD") or "[]") == ["node", f"apps/{WEB_APP}/server.js"]


# --- hadolint ----------------------------------------------------------------------------------


def hadolint(path: Path) -> str:
    """hadolint's findings (every level, info included); empty when the file is clean."""
    result = run([python_tool("hadolint"), "--no-color", "--failure-threshold", "info", str(path)])
    return (result.stdout + result.stderr).strip() if result.returncode else ""


@pytest.mark.parametrize("app", [*SERVICES, WEB_APP])
def test_every_dockerfile_passes_hadolint(app: str) -> None:
    path = dockerfile(app)
    assert hadolint(path) == ""
    # An ignored rule must say why, on the comment line just above the ignore.
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore=" in line:
            assert lines[number - 1].startswith("# "), f"line {number + 1}: no reason"


def test_hadolint_rejects_a_careless_dockerfile(tmp_path: Path) -> None:
    careless = tmp_path / "Dockerfile"
    careless.write_text(
        "FROM python:latest\nRUN apt-get update && apt-get install -y curl\nUSER app\nCMD python -m app\n"
    )
    findings = hadolint(careless)
    for rule in ("DL3007", "DL3008", "DL3066", "DL3025"):  # latest, unpinned, user name, shell CMD
        assert rule in findings, findings


# --- compose -----------------------------------------------------------------------------------


def compose_config(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """docker-compose's own reading of the file (it validates it against its schema too).

    The secrets come from `env` only: neither the caller's environment nor an .env file beside a
    copy may fill them in.
    """
    tool = debian_tool("docker-compose", "docker-compose")
    clean = {key: value for key, value in os.environ.items() if key not in SECRETS}
    with tempfile.TemporaryDirectory() as folder:
        no_env_file = Path(folder) / "empty.env"
        no_env_file.write_text("")
        return subprocess.run(  # noqa: S603 (the Debian package's docker-compose)
            [tool, "-f", str(path), "--env-file", str(no_env_file), "config"],
            cwd=path.parent,
            env={**clean, **env},
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    result = compose_config(COMPOSE_FILE, DUMMY_SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def resolved(text: str, tmp_path: Path) -> dict[str, Any]:
    """A modified copy of the compose file, resolved by docker-compose like the real one."""
    copy_path = tmp_path / "docker-compose.yml"
    copy_path.write_text(text)
    result = compose_config(copy_path, DUMMY_SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def app_of(container: dict[str, Any]) -> str | None:
    """The app whose image a container runs (from its build's Dockerfile), if it is ours."""
    found = re.fullmatch(
        r"apps/([\w-]+)/Dockerfile", container.get("build", {}).get("dockerfile", "")
    )
    return found.group(1) if found else None


def role(container: dict[str, Any]) -> str:
    """api, worker or the one-shot's command (migrate, sync-employees, rebuild) of our images."""
    command = container.get("command") or []
    return "api" if command[1:2] == ["serve"] else command[1] if len(command) > 1 else "?"


def containers_of(compose: dict[str, Any], service: str) -> dict[str, dict[str, Any]]:
    return {name: c for name, c in compose["services"].items() if app_of(c) == service}


def test_the_compose_file_is_valid_and_refuses_to_start_without_its_secrets() -> None:
    assert compose_config(COMPOSE_FILE, DUMMY_SECRETS).returncode == 0
    for secret in SECRETS:
        env = {name: value for name, value in DUMMY_SECRETS.items() if name != secret}
        result = compose_config(COMPOSE_FILE, env)
        assert result.returncode != 0
        assert secret in result.stderr, result.stderr


def secret_default_problems(text: str) -> list[str]:
    """A secret taken from the environment with a fallback would start with a known value."""
    return [
        f"${{{name}{rest}"
        for name, rest in re.findall(r"\$\{(" + "|".join(SECRETS) + r")([^}]*)\}", text)
        if not rest.startswith(":?")
    ]


def test_no_secret_has_a_default_value() -> None:
    text = COMPOSE_FILE.read_text()
    assert secret_default_problems(text) == []
    assert secret_default_problems(
        text.replace("${POSTGRES_PASSWORD:?", "${POSTGRES_PASSWORD:-tberp", 1)
    )


def published_ports(compose: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: c["ports"] for name, c in compose["services"].items() if c.get("ports")}


def port_problems(compose: dict[str, Any]) -> list[str]:
    """Only the web app is reachable from the host, on port 3000."""
    problems = []
    for name, ports in published_ports(compose).items():
        if name != WEB_APP:
            problems.append(f"{name} publishes {ports}")
        else:
            # docker-compose writes "host:published:target/proto" or {published, target}.
            targets = {
                str(port["target"])
                if isinstance(port, dict)
                else str(port).split("/")[0].rsplit(":", 1)[-1]
                for port in ports
            }
            if targets != {"3000"}:
                problems.append(f"the web app publishes {ports}, not 3000")
    return problems


def test_only_the_web_app_publishes_a_port(compose: dict[str, Any]) -> None:
    assert port_problems(compose) == []
    assert WEB_APP in published_ports(compose)


def test_a_service_publishing_a_port_is_rejected(tmp_path: Path) -> None:
    text = COMPOSE_FILE.read_text()
    anchor = '    command: ["asset-service", "serve"'
    assert anchor in text
    leaky = resolved(text.replace(anchor, '    ports: ["8002:8002"]\n' + anchor, 1), tmp_path)
    assert port_problems(leaky) == ["asset-service publishes [{'published': 8002, 'target': 8002}]"]


def network_problems(compose: dict[str, Any]) -> list[str]:
    problems = []
    networks = compose["networks"]
    for name in ("backend", "data"):
        if not (networks.get(name) or {}).get("internal"):
            problems.append(f"the {name} network is not internal")
    if (networks.get("frontend") or {}).get("internal"):
        problems.append("the frontend network is internal: the web app could not be reached")
    for name, container in compose["services"].items():
        joined = set(container.get("networks") or {})
        if not joined:
            problems.append(f"{name} is on compose's default network")
        if name in ("postgres", "mailpit") and joined != {"data"}:
            problems.append(f"{name} is on {sorted(joined)}, not only on data")
        # Redis also on backend: the web app reads the data generations and token versions
        # there, and so reaches no database.
        if name == "redis" and joined != {"data", "backend"}:
            problems.append(f"{name} is on {sorted(joined)}, not on data and backend")
        if name != WEB_APP and "frontend" in joined:
            problems.append(f"{name} is on the frontend network")
    if set(compose["services"][WEB_APP].get("networks") or {}) != {"frontend", "backend"}:
        problems.append("the web app is not on frontend and backend")
    return problems


def test_the_data_stores_and_services_sit_on_internal_networks(compose: dict[str, Any]) -> None:
    assert network_problems(compose) == []


def test_a_database_reachable_from_the_backend_is_rejected(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["postgres"]["networks"]["backend"] = None
    broken["networks"]["data"].pop("internal")
    assert network_problems(broken) == [
        "the data network is not internal",
        "postgres is on ['backend', 'data'], not only on data",
    ]


def required_env(service: str) -> set[str]:
    needed = {"ENVIRONMENT", "DATABASE_URL", "REDIS_URL", "JWT_SECRET", "EMPLOYEE_SERVICE_URL"}
    if service in ("dashboard-service", "notification-service"):
        needed |= {"ASSET_SERVICE_URL", "INVOICE_SERVICE_URL"}
    if service == "notification-service":
        needed.add("SMTP_URL")
    return needed


# Where each URL must point: the compose service of that name, on the port it listens on.
URL_TARGETS = {
    "DATABASE_URL": ("postgres", 5432),
    "REDIS_URL": ("redis", 6379),
    "SMTP_URL": ("mailpit", 1025),
    **{
        f"{service.split('-')[0].upper()}_SERVICE_URL": (service, port)
        for service, port in SERVICES.items()
    },
}


def env_problems(compose: dict[str, Any]) -> list[str]:
    """Every container has the settings it needs, and every URL reaches a container it can reach."""
    problems = []
    services = compose["services"]
    for name, container in services.items():
        app = app_of(container)
        if app is None:
            continue
        env = container.get("environment") or {}
        if app == WEB_APP:
            needed = {"AUTH_SECRET", "AUTH_URL", "NEXT_TELEMETRY_DISABLED", "REDIS_URL"} | {
                key for key in URL_TARGETS if key.endswith("_SERVICE_URL")
            }
        else:
            needed = required_env(app)
            if env.get("ENVIRONMENT") != "production":
                problems.append(f"{name}: ENVIRONMENT is {env.get('ENVIRONMENT')!r}")
        problems += [f"{name}: {key} is not set" for key in sorted(needed - set(env))]
        joined = set(container.get("networks") or {})
        for key, value in env.items():
            if key not in URL_TARGETS or not value:
                continue
            # A migration only talks to the database; the other URLs are in its settings unused.
            if role(container) == "migrate" and key != "DATABASE_URL":
                continue
            host, port = URL_TARGETS[key]
            url = urlsplit(value)
            if (url.hostname, url.port) != (host, port):
                problems.append(
                    f"{name}: {key} points at {url.hostname}:{url.port}, not {host}:{port}"
                )
            elif not joined & set(services[host].get("networks") or {}):
                problems.append(f"{name}: {key} points at {host}, on no network {name} is on")
    return problems


def test_every_container_has_the_settings_it_needs_and_reaches_what_they_name(
    compose: dict[str, Any],
) -> None:
    assert env_problems(compose) == []


def test_a_worker_without_its_broker_or_a_service_pointed_elsewhere_is_rejected(
    compose: dict[str, Any],
) -> None:
    broken = copy.deepcopy(compose)
    del broken["services"]["asset-service-worker"]["environment"]["REDIS_URL"]
    broken["services"]["dashboard-service"]["environment"]["INVOICE_SERVICE_URL"] = (
        "http://invoice-service:8002"
    )
    # Off the data network, the notification worker can reach neither its database nor the mail
    # (Redis it still reaches, on backend).
    broken["services"]["notification-service-worker"]["networks"].pop("data")
    problems = env_problems(broken)
    assert "asset-service-worker: REDIS_URL is not set" in problems
    assert (
        "dashboard-service: INVOICE_SERVICE_URL points at invoice-service:8002,"
        " not invoice-service:8003"
    ) in problems
    unreachable = "on no network notification-service-worker is on"
    assert {p.split(":")[1].split()[0] for p in problems if p.endswith(unreachable)} == {
        "DATABASE_URL",
        "SMTP_URL",
    }
    assert len(problems) == 4


def test_each_service_runs_its_api_worker_and_migration_from_one_image(
    compose: dict[str, Any],
) -> None:
    for service, port in SERVICES.items():
        containers = containers_of(compose, service)
        roles = sorted(role(c) for c in containers.values())
        expected = {"api", "worker", "migrate"}
        assert expected <= set(roles), f"{service}: {roles}"
        assert len({c["image"] for c in containers.values()}) == 1, f"{service}: several images"
        assert len({json.dumps(c["build"], sort_keys=True) for c in containers.values()}) == 1
        by_role = {role(c): (name, c) for name, c in containers.items()}
        assert by_role["api"][0] == service, "the API container is named after the service"
        assert by_role["api"][1]["command"] == [
            service,
            "serve",
            "--host",
            ALL_INTERFACES,
            "--port",
            str(port),
        ]
        assert by_role["worker"][1]["command"] == [service, "worker"]
        assert Path(ROOT / by_role["api"][1]["build"]["dockerfile"]).exists()
        assert Path(by_role["api"][1]["build"]["context"]).resolve() == ROOT
    # The one-shots the services need before they serve.
    one_shots = {
        (app_of(c), role(c))
        for c in compose["services"].values()
        if role(c) not in ("api", "worker")
    }
    assert {
        ("asset-service", "sync-employees"),
        ("invoice-service", "sync-employees"),
        ("dashboard-service", "rebuild"),
    } <= one_shots


def health_of(container: dict[str, Any]) -> str | None:
    """The check Docker runs: the compose file's, else the image's HEALTHCHECK; None when off."""
    check = container.get("healthcheck")
    if check is not None:
        test = check.get("test") or []
        return None if check.get("disable") or test[:1] == ["NONE"] else " ".join(test)
    app = app_of(container)
    if app:
        return parse_dockerfile(dockerfile(app).read_text())[-1].last("HEALTHCHECK")
    return None


def order_problems(compose: dict[str, Any]) -> list[str]:
    """Migrations finish before anything of their service starts; a condition can be met."""
    problems = []
    services = compose["services"]
    for name, container in services.items():
        depends = container.get("depends_on") or {}
        for target, rule in depends.items():
            condition = rule.get("condition")
            if condition == "service_healthy" and health_of(services[target]) is None:
                problems.append(
                    f"{name} waits for {target} to be healthy, which has no health check"
                )
            if (
                condition == "service_completed_successfully"
                and services[target].get("restart", "no") != "no"
            ):
                problems.append(f"{name} waits for {target} to finish, which restarts")
        app = app_of(container)
        if app is None or app == WEB_APP:
            continue
        step = role(container)
        if step == "migrate":
            if depends.get("postgres", {}).get("condition") != "service_healthy":
                problems.append(f"{name} does not wait for PostgreSQL to be healthy")
        elif depends.get(f"{app}-migrate", {}).get("condition") != "service_completed_successfully":
            problems.append(f"{name} does not wait for {app}-migrate to finish")
        if (
            step in ("api", "worker")
            and depends.get("redis", {}).get("condition") != "service_healthy"
        ):
            problems.append(f"{name} does not wait for Redis to be healthy")
    for service in ("asset-service", "invoice-service"):
        if (
            services[service]["depends_on"].get(f"{service}-sync-employees", {}).get("condition")
            != "service_completed_successfully"
        ):
            problems.append(f"{service} does not wait for its copy of the employees")
    if (
        services["dashboard-service"]["depends_on"]
        .get("dashboard-service-rebuild", {})
        .get("condition")
        != "service_completed_successfully"
    ):
        problems.append("dashboard-service does not wait for its read model's rebuild")
    web = services[WEB_APP]["depends_on"]
    problems += [
        f"the web app does not wait for {s}"
        for s in SERVICES
        if web.get(s, {}).get("condition") != "service_healthy"
    ]
    return problems


def test_each_service_starts_after_its_migration_and_one_shots(compose: dict[str, Any]) -> None:
    assert order_problems(compose) == []


def test_a_service_starting_before_its_migration_is_rejected(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["invoice-service-worker"]["depends_on"]["invoice-service-migrate"][
        "condition"
    ] = "service_started"
    broken["services"]["redis"].pop("healthcheck")
    problems = order_problems(broken)
    assert "invoice-service-worker does not wait for invoice-service-migrate to finish" in problems
    assert "employee-service waits for redis to be healthy, which has no health check" in problems


def test_long_running_containers_are_health_checked_where_they_serve(
    compose: dict[str, Any],
) -> None:
    for name, container in compose["services"].items():
        app, step = app_of(container), role(container)
        check = health_of(container)
        if app in SERVICES and step == "api":
            # /ready, not /health: depends_on should mean "can serve" (database and broker up).
            assert f"127.0.0.1:{SERVICES[app]}/ready" in (check or ""), name
        elif app in SERVICES:
            # Workers and one-shots serve no HTTP: the image's check would fail for ever.
            assert check is None, f"{name} inherits a health check it cannot pass"
        else:
            assert check, f"{name} has no health check"
        if app:
            assert container.get("cap_drop") == ["ALL"], f"{name} keeps Linux capabilities"


def test_the_build_context_keeps_local_state_and_secrets_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "node_modules", "**/node_modules", "**/.env", "**/.next"} <= ignored


def test_the_render_script_knows_the_services_that_up_runs() -> None:
    # render.py runs on a bare python3 (standard library only), so it keeps its own table.
    assert render.SERVICES == SERVICE_PORTS
