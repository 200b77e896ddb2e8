"""The services the development stack runs, in start order. Adding a service is one entry here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    """How to prepare, start and probe one deployable.

    Commands are argument lists; ``{port}`` in ``serve`` is replaced by the port it gets.
    """

    name: str
    default_port: int
    serve: tuple[str, ...]
    migrate: tuple[str, ...] | None = None
    seed: tuple[str, ...] | None = None  # its output may list demo logins
    ready_path: str = "/ready"
    docs_path: str | None = "/docs"
    login_path: str | None = None  # where the smoke check proves that a demo login works

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


def python_service(name: str, port: int, *, login_path: str | None = None) -> Service:
    """A service built on tb-platform: its console script has migrate, seed-demo and serve."""
    return Service(
        name=name,
        default_port=port,
        migrate=(name, "migrate"),
        seed=(name, "seed-demo"),
        serve=(name, "serve", "--port", "{port}"),
        login_path=login_path,
    )


SERVICES: tuple[Service, ...] = (
    python_service("employee-service", 8001, login_path="/api/v1/auth/login"),
    # After the employee service: its seed assigns demo assets to demo employees.
    python_service("asset-service", 8002),
    python_service("invoice-service", 8003),
)
