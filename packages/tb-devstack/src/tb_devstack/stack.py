"""Start the database, migrate and seed every service, serve them, and stop it all again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .banner import Endpoint, redact_url, render_banner
from .logins import DemoLogin, parse_demo_logins
from .ports import port_in_use, tail
from .secret import load_or_create_secret
from .services import SERVICES, Service

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
COMMAND_TIMEOUT_SECONDS = 600.0


class StackError(Exception):
    """A failure told to the developer as one message, without a traceback."""


def find_repo_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``tberp.py``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "tberp.py").is_file():
            return folder
    raise StackError(f"no tberp.py in {start} or above it: run this inside the TB ERP repository")


def probe_host(bind_host: str) -> str:
    """The address to reach a server bound to ``bind_host`` from this machine."""
    return "127.0.0.1" if bind_host in ("", "0.0.0.0", "::") else bind_host  # noqa: S104


@dataclass
class RunningService:
    service: Service
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return tail(self.log_path.read_text(encoding="utf-8", errors="replace"), lines)
        except OSError:
            return "(no log)"


@dataclass
class DevStack:
    """The whole system on one machine. Use as a context manager: leaving it stops everything."""

    root: Path
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    services: Sequence[Service] = SERVICES
    say: Callable[[str], None] = print
    ready_timeout: float = READY_TIMEOUT_SECONDS

    running: list[RunningService] = field(default_factory=list, init=False)
    logins: list[DemoLogin] = field(default_factory=list, init=False)
    database: str = field(default="", init=False)
    _env: dict[str, str] = field(default_factory=dict, init=False)
    _postgres: Any = field(default=None, init=False)

    @property
    def data_dir(self) -> Path:
        return self.root / ".data"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def environment(self) -> str:
        return self._env.get("ENVIRONMENT", "development")

    def __enter__(self) -> DevStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- starting -------------------------------------------------------------------------------

    def start(self) -> None:
        host = self.environ.get("HOST") or "127.0.0.1"
        ports = {service.name: self._port(service) for service in self.services}
        for service in self.services:  # before anything starts: fail fast and leave nothing behind
            if port_in_use(ports[service.name], host):
                raise StackError(
                    f"port {ports[service.name]} ({service.name}) is already in use: stop whatever "
                    f"listens there (perhaps another `tberp.py up`) or set "
                    f"{service.port_variable}=<free port>"
                )
        env = dict(self.environ)
        env["DATABASE_URL"] = self._database_url()
        env["JWT_SECRET"] = self.environ.get("JWT_SECRET") or load_or_create_secret(
            self.data_dir / "jwt-secret"
        )
        env.setdefault("ENVIRONMENT", "development")
        env["HOST"] = host
        env["PYTHONUNBUFFERED"] = "1"  # the log files show each line as it is written
        self._env = env
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            self._start_service(service, host, ports[service.name])

    def _port(self, service: Service) -> int:
        try:
            return service.port(self.environ)
        except ValueError as exc:
            raise StackError(str(exc)) from None

    def _database_url(self) -> str:
        url = self.environ.get("DATABASE_URL")
        if url:
            self.database = f"DATABASE_URL from the environment: {redact_url(url)}"
            return url
        from tb_platform.embedded import start_embedded_postgres

        data = self.data_dir / "postgres"
        self.say(f"tb-devstack: starting the embedded PostgreSQL ({self._relative(data)})")
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            try:
                self._postgres, url = start_embedded_postgres(data)
            except Exception as exc:
                raise StackError(
                    f"the embedded PostgreSQL did not start ({exc}); see {data / 'log'}, "
                    "or set DATABASE_URL to a server of yours"
                ) from exc
        self.database = f"embedded PostgreSQL, data in {self._relative(data)}"
        return url

    def _start_service(self, service: Service, host: str, port: int) -> None:
        if service.migrate:
            self.say(f"tb-devstack: {service.name}: migrating the database")
            self._run(service, service.migrate)
        if service.seed:
            self.say(f"tb-devstack: {service.name}: adding the demo data")
            for login in parse_demo_logins(self._run(service, service.seed)):
                if login not in self.logins:
                    self.logins.append(login)
        log_path = self.log_dir / f"{service.name}.log"
        argv = [part.replace("{port}", str(port)) for part in service.serve]
        url = f"http://{probe_host(host)}:{port}"
        self.say(f"tb-devstack: {service.name}: serving on {url} (log: {self._relative(log_path)})")
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 (our own commands)
                self._resolve(argv),
                cwd=self.root,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: Ctrl-C reaches only us, and we stop the services in order.
                start_new_session=True,
            )
        running = RunningService(service=service, url=url, process=process, log_path=log_path)
        self.running.append(running)
        self._wait_ready(running)
        self._env[service.url_variable] = url

    def _run(self, service: Service, argv: Sequence[str]) -> str:
        """Run a preparation command; its standard output, or a StackError with what it said."""
        try:
            result = subprocess.run(  # noqa: S603 (our own commands)
                self._resolve(argv),
                cwd=self.root,
                env=self._env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise StackError(
                f"`{' '.join(argv)}` took over {COMMAND_TIMEOUT_SECONDS:.0f} s"
            ) from None
        if result.returncode != 0:
            said = tail((result.stdout or "") + (result.stderr or ""))
            raise StackError(f"`{' '.join(argv)}` failed (exit code {result.returncode}):\n{said}")
        return result.stdout

    def _resolve(self, argv: Sequence[str]) -> list[str]:
        """``argv`` with its program found next to this Python first (the workspace's .venv/bin)."""
        search = os.pathsep.join([str(Path(sys.executable).parent), self.environ.get("PATH", "")])
        program = shutil.which(argv[0], path=search)
        if program is None:
            raise StackError(f"`{argv[0]}` is not installed: run `python3 tberp.py up` (it syncs)")
        return [program, *argv[1:]]

    def _wait_ready(self, running: RunningService) -> None:
        url = running.url + running.service.ready_path
        deadline = time.monotonic() + self.ready_timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            code = running.process.poll()
            if code is not None:
                raise StackError(
                    f"{running.service.name} exited (code {code}) before it was ready. "
                    f"Last lines of {self._relative(running.log_path)}:\n{running.log_tail()}"
                )
            try:
                response = httpx.get(url, timeout=2.0)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code} {response.text[:200]}"
            time.sleep(0.25)
        raise StackError(
            f"{running.service.name} was not ready at {url} after {self.ready_timeout:.0f} s "
            f"({last}). Last lines of {self._relative(running.log_path)}:\n{running.log_tail()}"
        )

    # -- while running --------------------------------------------------------------------------

    def banner(self, footer: str = "Press Ctrl-C to stop.") -> str:
        endpoints = [
            Endpoint(
                name=r.service.name,
                url=r.url,
                docs_url=r.url + r.service.docs_path if r.service.docs_path else None,
            )
            for r in self.running
        ]
        return render_banner(
            endpoints=endpoints,
            logins=self.logins,
            database=self.database,
            logs=f"{self._relative(self.log_dir)}/<service>.log",
            environment=self.environment,
            footer=footer,
        )

    def first_exited(self) -> RunningService | None:
        """A service whose process has ended (it should not, while the stack runs)."""
        return next((r for r in self.running if r.process.poll() is not None), None)

    # -- stopping -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the services (last started first), then the embedded PostgreSQL. Idempotent."""
        with _interrupts_deferred():
            while self.running:
                running = self.running.pop()
                self.say(f"tb-devstack: stopping {running.service.name}")
                _terminate(running.process)
            if self._postgres is not None:
                postgres, self._postgres = self._postgres, None
                self.say("tb-devstack: stopping the embedded PostgreSQL")
                postgres.cleanup()

    def _relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """A second Ctrl-C (or SIGTERM) must not cut the shutdown short and leave servers behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process's group (uvicorn finishes its requests), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
