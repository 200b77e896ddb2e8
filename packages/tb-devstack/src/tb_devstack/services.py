"""The services the development stack runs, in start order. Adding a service is one entry here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Service:
    """How to prepare, start and probe one deployable.

    Commands are argument lists; ``{port}`` in ``serve`` is replaced by the port it gets.
    """

    name: str
    default_port: int
    serve: tuple[str, ...]  # ``{port}`` and ``{host}`` are filled in
    migrate: tuple[str, ...] | None = None
    seed: tuple[str, ...] | None = None  # its output may list demo logins
    # Run after the seed, before serving (e.g. fill a projection from a service started earlier).
    prepare: tuple[tuple[str, ...], ...] = ()
    # What to print for each ``prepare`` command; its arguments when not given.
    prepare_labels: tuple[str, ...] = ()
    # Environment variables set to this service's own URL before it starts (e.g. AUTH_URL).
    own_url_variables: tuple[str, ...] = ()
    # A second process beside the server: the outbox relay and the event consumers.
    worker: tuple[str, ...] | None = None
    health_path: str = "/health"
    ready_path: str = "/ready"
    docs_path: str | None = "/docs"
    login_path: str | None = None  # where the smoke check proves that a demo login works
    # GETs the smoke check makes with the first demo login's token; each must answer 200.
    check_paths: tuple[str, ...] = ()
    # The web app: the smoke check signs in through its sign-in form and reads these BFF routes.
    web_check_paths: tuple[str, ...] = ()

    @property
    def port_variable(self) -> str:
        """The environment variable that overrides the port, e.g. ``EMPLOYEE_SERVICE_PORT``."""
        return self.name.upper().replace("-", "_") + "_PORT"

    @property
    def url_variable(self) -> str:
        """Set for the services started after this one, e.g. ``EMPLOYEE_SERVICE_URL``."""
        return self.name.upper().replace("-", "_") + "_URL"

    def port(self, environ: Mapping[str, str]) -> int:
        raw = environ.get(self.port_variable)
        if raw is None or raw == "":
            return self.default_port
        try:
            port = int(raw)
        except ValueError:
            raise ValueError(f"{self.port_variable}={raw!r} is not a port number") from None
        if not 1 <= port <= 65535:
            raise ValueError(f"{self.port_variable}={port} is outside 1-65535")
        return port


def python_service(
    name: str,
    port: int,
    *,
    login_path: str | None = None,
    seed: bool = True,
    worker: bool = True,
    prepare: tuple[str, ...] = (),
    check_paths: tuple[str, ...] = (),
) -> Service:
    """A service built on tb-platform: its console script has migrate, seed-demo, serve, worker
    and the ``prepare`` sub-commands."""
    return Service(
        name=name,
        default_port=port,
        migrate=(name, "migrate"),
        seed=(name, "seed-demo") if seed else None,
        prepare=tuple((name, command) for command in prepare),
        serve=(name, "serve", "--port", "{port}"),
        worker=(name, "worker") if worker else None,
        login_path=login_path,
        check_paths=check_paths,
    )


SERVICES: tuple[Service, ...] = (
    python_service("employee-service", 8001, login_path="/api/v1/auth/login"),
    # After the employee service: their employee projections are filled from it, and the asset
    # seed assigns demo assets to demo employees.
    python_service("asset-service", 8002, prepare=("sync-employees",)),
    python_service("invoice-service", 8003, prepare=("sync-employees",)),
    # After the three: a new (or lost) read model is rebuilt from their APIs, then fed by events.
    python_service(
        "dashboard-service",
        8004,
        seed=False,
        prepare=("rebuild",),
        check_paths=("/api/v1/dashboard/summary",),
    ),
    python_service(
        "notification-service", 8005, seed=False, check_paths=("/api/v1/notifications",)
    ),
)


# This file is packages/tb-devstack/src/tb_devstack/services.py: the web app is beside it.
REPO_ROOT = Path(__file__).resolve().parents[4]
WEB_DIR = REPO_ROOT / "apps" / "web-frontend"
NEXT_BIN = REPO_ROOT / "node_modules" / "next" / "dist" / "bin" / "next"

# The web app, last: it reads every service's URL (EMPLOYEE_SERVICE_URL, ...) as they are set.
WEB_FRONTEND = Service(
    name="web-frontend",
    default_port=3000,
    prepare=(("node", str(WEB_DIR / "scripts" / "build-if-stale.mjs")),),
    prepare_labels=("building the web app (when its sources changed since the last build)",),
    serve=(
        "node",
        # V8 sizes its heap from the machine's memory and, at a thousand requests a second,
        # let the server grow past 2 GB before collecting (measured); capped, it stays near
        # 230 MB at the same rate (the container sets the same, NODE_OPTIONS in its Dockerfile).
        "--max-old-space-size=384",
        str(NEXT_BIN),
        "start",
        str(WEB_DIR),
        "--port",
        "{port}",
        "--hostname",
        "{host}",
    ),
    own_url_variables=("AUTH_URL",),
    health_path="/api/health",
    ready_path="/api/health",
    docs_path=None,
    web_check_paths=("/api/dashboard/assets-with-owners", "/api/assets?limit=5"),
)

# What `up` runs: the services, then the web app.
ERP: tuple[Service, ...] = (*SERVICES, WEB_FRONTEND)
