"""Start the database, migrate and seed every service, serve them, and stop it all again."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict

from tb_platform.db import libpq_url
from tb_platform.embedded import (
    EmbeddedPostgres,
    EmbeddedPostgresError,
    die_with_parent,
    start_embedded_postgres,
    stop_servers,
)

from .backing import BACKING, Backing
from .banner import Endpoint, redact_url, render_banner
from .logins import DemoLogin, parse_demo_logins
from .ports import port_in_use, tail
from .secret import load_or_create_secret
from .services import SERVICES, Service

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
KILL_WAIT_SECONDS = 5.0
COMMAND_TIMEOUT_SECONDS = 600.0
DATABASE_CHECK_TIMEOUT_SECONDS = 5
POLL_SECONDS = 0.1
LOCK_FILE = "up.lock"


class StackError(Exception):
    """A failure told to the developer as one message, without a traceback.

    ``detail`` is the longer story (a command's whole output) that ``up --verbose`` prints.
    """

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


class Interrupted(StackError):
    """A signal asked the stack to stop while it was starting."""

    def __init__(self) -> None:
        super().__init__("interrupted while starting")


class StopRequest:
    """The signal handler: it only notes that a stop was asked for, and never raises.

    One ``kill`` reaches the runner two or three times (tberp.py and ``uv run`` each pass SIGTERM
    on), and a Ctrl-C may be pressed twice. A handler that raised (KeyboardInterrupt) would abort
    whatever runs at that moment, the shutdown included, and leave the servers running. Instead the
    stack looks at ``requested`` between its steps; the shutdown itself never looks, so any number
    of further signals changes nothing. (A plain attribute, no lock: a handler that takes a lock
    its own thread holds would deadlock.)
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.signal: int | None = None

    @property
    def requested(self) -> bool:
        return self.signal is not None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is None:
            self.signal = signum

    def install(self) -> None:
        """Make this the handler of SIGINT, SIGTERM and SIGHUP (call it from the main thread)."""
        for sig in self.SIGNALS:
            signal.signal(sig, self)

    def ignore(self) -> None:
        """Ignore those signals from now on (once everything is stopped)."""
        for sig in self.SIGNALS:
            signal.signal(sig, signal.SIG_IGN)


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
    """A process the stack started: a service's server or worker, or a backing server."""

    service: Service
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    role: str = "server"  # "server", "worker" or "backing"
    argv: tuple[str, ...] = ()  # the command it was started with (restart() runs it again)

    @property
    def name(self) -> str:
        return self.service.name if self.role != "worker" else f"{self.service.name} worker"

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
    backing: Sequence[Backing] = BACKING
    say: Callable[[str], None] = field(default=lambda message: _say(message))
    ready_timeout: float = READY_TIMEOUT_SECONDS
    stop_request: StopRequest = field(default_factory=StopRequest)

    running: list[RunningService] = field(default_factory=list, init=False)
    logins: list[DemoLogin] = field(default_factory=list, init=False)
    database: str = field(default="", init=False)
    # What each backing server is, for the banner: (name, URL, one line about it).
    backing_info: list[tuple[str, str, str]] = field(default_factory=list, init=False)
    # What stop() could not stop, e.g. "asset-service (pid 123)"; empty when all ended.
    stop_problems: list[str] = field(default_factory=list, init=False)
    started_anything: bool = field(default=False, init=False)  # a server or a command
    _env: dict[str, str] = field(default_factory=dict, init=False)
    _postgres: EmbeddedPostgres | None = field(default=None, init=False)
    _lock: int | None = field(default=None, init=False)

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
        # Before anything is touched (logs, PostgreSQL, ports): one stack per data directory.
        self._lock_data_dir()
        for service in self.services:  # before anything starts: fail fast and leave nothing behind
            if port_in_use(ports[service.name], host):
                raise StackError(
                    f"port {ports[service.name]} ({service.name}) is already in use: stop whatever "
                    f"listens there (perhaps the `tberp.py up` of another checkout) or set "
                    f"{service.port_variable}=<free port>"
                )
        env = dict(self.environ)
        self._check_interrupted()
        env["DATABASE_URL"] = self._database_url()
        self._check_interrupted()
        self._check_database(env["DATABASE_URL"])
        env["JWT_SECRET"] = self.environ.get("JWT_SECRET") or load_or_create_secret(
            self.data_dir / "jwt-secret"
        )
        # The web app's session cookie key (it encrypts the cookie that holds the service token).
        env["AUTH_SECRET"] = self.environ.get("AUTH_SECRET") or load_or_create_secret(
            self.data_dir / "auth-secret"
        )
        env["NEXT_TELEMETRY_DISABLED"] = "1"
        env.setdefault("ENVIRONMENT", "development")
        env["HOST"] = host
        env["PYTHONUNBUFFERED"] = "1"  # the log files show each line as it is written
        self._env = env
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for backing in self.backing:
            self._start_backing(backing)
        for service in self.services:
            self._start_service(service, host, ports[service.name])

    def _lock_data_dir(self) -> None:
        """Hold an exclusive lock on ``.data/up.lock`` until stop(); refuse if another stack has it.

        A second stack on the same data directory would truncate the first one's logs and start a
        second PostgreSQL on its files. The kernel drops the lock when we exit, however we exit.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / LOCK_FILE
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by children
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(descriptor, 32).decode("ascii", errors="replace").strip()
            os.close(descriptor)
            raise StackError(
                f"another `tberp.py up` (pid {holder or 'unknown'}) is running on "
                f"{self._relative(self.data_dir)}: two stacks cannot share it. Stop that one "
                "first (Ctrl-C in its terminal)."
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        self._lock = descriptor

    def _check_interrupted(self) -> None:
        if self.stop_request.requested:
            raise Interrupted

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
        data = self.data_dir / "postgres"
        self.say(f"tb-devstack: starting the embedded PostgreSQL ({self._relative(data)})")
        self.started_anything = True
        try:
            leftover = stop_servers(data)  # start_embedded_postgres would too; we say so
            if leftover:
                self.say(
                    "tb-devstack: stopped a PostgreSQL that an earlier run left running "
                    f"(pids {', '.join(map(str, leftover))})"
                )
            self._postgres, url = start_embedded_postgres(data)
        except Exception as exc:
            raise StackError(
                f"the embedded PostgreSQL did not start ({exc}); see {data / 'log'}, "
                "or set DATABASE_URL to a server of yours"
            ) from exc
        self.database = f"embedded PostgreSQL, data in {self._relative(data)}"
        return url

    def _check_database(self, url: str) -> None:
        """Connect once, with a short timeout, so a wrong DATABASE_URL is one clear line.

        Without this, each service's ``migrate`` would fail with a long SQLAlchemy traceback whose
        cause is at the bottom.
        """
        try:
            conninfo = libpq_url(url)
        except ValueError as exc:  # says what is wrong, naming DATABASE_URL
            raise StackError(f"{exc}; check DATABASE_URL") from None
        try:
            where = _describe_server(conninfo)
        except psycopg.Error as exc:
            raise StackError(
                f"DATABASE_URL is not a valid PostgreSQL URL ({exc}); check DATABASE_URL"
            ) from None
        try:
            with psycopg.connect(conninfo, connect_timeout=DATABASE_CHECK_TIMEOUT_SECONDS):
                pass
        except psycopg.Error as exc:
            raise StackError(
                f"cannot connect to the database at {where} ({_reason(exc)}); check DATABASE_URL"
            ) from exc

    def _start_backing(self, backing: Backing) -> None:
        """Use the backing server the environment names, or start one (data under .data)."""
        self._check_interrupted()
        given = self.environ.get(backing.url_variable)
        if given:
            self.backing_info.append((backing.name, redact_url(given), "from the environment"))
            return
        try:
            wanted = backing.port(self.environ)
        except ValueError as exc:
            raise StackError(str(exc)) from None
        if wanted is not None and port_in_use(wanted):
            raise StackError(
                f"port {wanted} ({backing.port_variable}) is already in use: choose another, or "
                f"set {backing.url_variable} to a {backing.name} of yours"
            )
        port = wanted or (
            backing.default_port if not port_in_use(backing.default_port) else _free_port()
        )
        data = self.data_dir / backing.name
        log_path = self.log_dir / f"{backing.name}.log"
        try:
            argv = backing.argv(port, data)
        except FileNotFoundError as exc:
            raise StackError(str(exc)) from None
        url = backing.url(port)
        self.say(f"tb-devstack: starting {backing.name} on {url} (log: {self._relative(log_path)})")
        service = Service(name=backing.name, default_port=port, serve=tuple(argv))
        running = self._spawn(service, argv, url=url, log_path=log_path, role="backing")
        self._wait_listening(running)
        self._env[backing.url_variable] = url
        self.backing_info.append((backing.name, url, backing.describe(Path(self._relative(data)))))

    def _wait_listening(self, running: RunningService) -> None:
        """Until the backing server ``running`` accepts connections on its port."""
        port = running.service.default_port  # a backing server's Service holds its real port
        deadline = time.monotonic() + self.ready_timeout
        while not port_in_use(port):
            self._check_interrupted()
            if running.process.poll() is not None or time.monotonic() > deadline:
                raise StackError(
                    f"{running.name} did not start on port {port}. Last lines of "
                    f"{self._relative(running.log_path)}:\n{running.log_tail()}"
                )
            time.sleep(POLL_SECONDS)

    def _spawn(
        self,
        service: Service,
        argv: Sequence[str],
        *,
        url: str,
        log_path: Path,
        role: str,
        append_log: bool = False,
    ) -> RunningService:
        """Start a long-running process of the stack, its output in ``log_path``."""
        self.started_anything = True
        with log_path.open("ab" if append_log else "wb") as log:
            process = subprocess.Popen(  # noqa: S603 (our own commands)
                list(argv),
                cwd=self.root,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: Ctrl-C reaches only us, and we stop the processes in order.
                start_new_session=True,
                preexec_fn=die_with_parent(signal.SIGTERM),  # if we are killed, it stops too
            )
        running = RunningService(
            service=service,
            url=url,
            process=process,
            log_path=log_path,
            role=role,
            argv=tuple(argv),
        )
        self.running.append(running)
        return running

    def _start_service(self, service: Service, host: str, port: int) -> None:
        self._check_interrupted()
        if service.migrate:
            self.say(f"tb-devstack: {service.name}: migrating the database")
            self._run(service, service.migrate)
        for index, command in enumerate(service.prepare):
            label = (
                service.prepare_labels[index]
                if index < len(service.prepare_labels)
                else " ".join(command[1:])
            )
            self.say(f"tb-devstack: {service.name}: {label}")
            self._run(service, command)
        if service.seed:
            self.say(f"tb-devstack: {service.name}: adding the demo data")
            for login in parse_demo_logins(self._run(service, service.seed)):
                if login not in self.logins:
                    self.logins.append(login)
        self._check_interrupted()
        log_path = self.log_dir / f"{service.name}.log"
        argv = [part.replace("{port}", str(port)).replace("{host}", host) for part in service.serve]
        url = f"http://{probe_host(host)}:{port}"
        for variable in service.own_url_variables:
            self._env[variable] = url
        self.say(f"tb-devstack: {service.name}: serving on {url} (log: {self._relative(log_path)})")
        running = self._spawn(
            service, self._resolve(argv), url=url, log_path=log_path, role="server"
        )
        self._wait_ready(running)
        self._env[service.url_variable] = url
        if service.worker:
            worker_log = self.log_dir / f"{service.name}-worker.log"
            self.say(
                f"tb-devstack: {service.name}: events worker (log: {self._relative(worker_log)})"
            )
            self._spawn(
                service,
                self._resolve(service.worker),
                url=url,
                log_path=worker_log,
                role="worker",
            )

    def _run(self, service: Service, argv: Sequence[str]) -> str:
        """Run a preparation command; its standard output, or a StackError with what it said."""
        command = " ".join(argv)
        self.started_anything = True
        process = subprocess.Popen(  # noqa: S603 (our own commands)
            self._resolve(argv),
            cwd=self.root,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # stopped by us, in order, like the services
            preexec_fn=die_with_parent(signal.SIGTERM),
        )
        deadline = time.monotonic() + COMMAND_TIMEOUT_SECONDS
        while True:
            try:
                stdout, stderr = process.communicate(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if self.stop_request.requested or time.monotonic() > deadline:
                    _terminate(process)
                    process.communicate()
                    self._check_interrupted()
                    raise StackError(
                        f"`{command}` took over {COMMAND_TIMEOUT_SECONDS:.0f} s"
                    ) from None
        if process.returncode != 0:
            self._check_interrupted()  # it was stopped with us: not a failure of its own
            said = (stdout or "") + (stderr or "")
            raise StackError(
                f"`{command}` failed (exit code {process.returncode}):\n{tail(said)}",
                detail=said,
            )
        return stdout

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
            self._check_interrupted()
            code = running.process.poll()
            if code is not None:
                raise StackError(
                    f"{running.service.name} exited (code {code}) before it was ready. "
                    f"Last lines of {self._relative(running.log_path)}:\n{running.log_tail()}"
                )
            try:
                response = httpx.get(url, timeout=1.0)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code} {response.text[:200]}"
            time.sleep(POLL_SECONDS)
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
            for r in self.servers
        ]
        return render_banner(
            endpoints=endpoints,
            logins=self.logins,
            backing=self.backing_info,
            database=self.database,
            logs=f"{self._relative(self.log_dir)}/<service>.log",
            environment=self.environment,
            footer=footer,
        )

    @property
    def servers(self) -> list[RunningService]:
        """The services' HTTP servers (not their workers or the backing servers)."""
        return [r for r in self.running if r.role == "server"]

    def first_exited(self) -> RunningService | None:
        """A service whose process has ended (it should not, while the stack runs)."""
        return next((r for r in self.running if r.process.poll() is not None), None)

    # -- faults (what the fault tests do to a running stack) ------------------------------------

    def process(self, name: str) -> RunningService:
        """The process called ``name``: a service's server (``"invoice-service"``), its worker
        (``"invoice-service worker"``) or a backing server (``"redis"``)."""
        for running in self.running:
            if running.name == name:
                return running
        known = ", ".join(r.name for r in self.running) or "none"
        raise StackError(f"no process {name!r} in this stack (it runs: {known})")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        """Send ``sig`` to every process of ``name``'s group and wait until they have all ended.

        The whole group, not only its leader, so that a server behind a wrapper (``uv run``,
        uvicorn's supervisor with workers) dies too and its port is free again. Returns the
        leader's exit status (minus the signal's number when the signal ended it). The process
        keeps its place in the stack; :meth:`restart` starts it again there.
        """
        running = self.process(name)
        with suppress(ProcessLookupError):
            os.killpg(running.process.pid, sig)
        try:
            code = running.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise StackError(f"{name} (pid {running.process.pid}) outlived {sig!r}") from None
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while _group_alive(running.process.pid):
            if time.monotonic() > deadline:
                raise StackError(f"processes of {name}'s group outlived {sig!r}")
            time.sleep(POLL_SECONDS)
        return code

    def restart(self, name: str) -> RunningService:
        """Start ``name`` again, after :meth:`kill` or a crash: the same command, port and
        environment (a backing server the same data folder); its log goes on in the same file.

        Returns once it serves: a service's ready path answers 200, a backing server's port
        accepts connections. Call it from the main thread: only a process started there is tied
        to ours, to be stopped if we die (see ``die_with_parent``).
        """
        old = self.process(name)
        if old.process.poll() is None:
            raise StackError(f"{name} (pid {old.process.pid}) is still running: kill it first")
        with old.log_path.open("ab") as log:
            log.write(f"\n-- tb-devstack: restarting {name} --\n".encode())
        new = self._spawn(
            old.service,
            old.argv,
            url=old.url,
            log_path=old.log_path,
            role=old.role,
            append_log=True,
        )
        # In the old one's place: stop() ends the processes in the reverse order of their start.
        self.running.remove(new)
        self.running[self.running.index(old)] = new
        if new.role == "backing":
            self._wait_listening(new)
        elif new.role == "server":
            self._wait_ready(new)
        return new

    # -- stopping -------------------------------------------------------------------------------

    def stop(self) -> bool:
        """Stop the services (last started first), then the embedded PostgreSQL; idempotent.

        Each is checked to have really ended; what did not is said and kept in ``stop_problems``.
        True when everything ended. Runs to the end whatever signals arrive (see StopRequest).
        """
        while self.running:
            running = self.running.pop()
            name = running.name
            self.say(f"tb-devstack: stopping {name}")
            if not _terminate(running.process):
                self._stop_problem(f"{name} (pid {running.process.pid})")
        if self._postgres is not None:
            postgres, self._postgres = self._postgres, None
            self.say("tb-devstack: stopping the embedded PostgreSQL")
            try:
                postgres.stop()
            except EmbeddedPostgresError as exc:
                self._stop_problem(f"the embedded PostgreSQL: {exc}")
        if self._lock is not None:
            lock, self._lock = self._lock, None
            os.close(lock)  # releases it
        return not self.stop_problems

    def _stop_problem(self, what: str) -> None:
        self.say(f"tb-devstack: could not stop {what}")
        self.stop_problems.append(what)

    def _relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def _describe_server(conninfo: str) -> str:
    """Where a libpq URL leads, e.g. ``127.0.0.1:5432, database "erp"`` (never its password)."""
    params = conninfo_to_dict(conninfo)
    host = str(params.get("host") or "the default socket")
    port = str(params.get("port") or 5432)
    place = f"socket {host}" if host.startswith("/") else f"{host}:{port}"
    database = params.get("dbname") or params.get("user")
    return f'{place}, database "{database}"' if database else place


def _reason(error: psycopg.Error) -> str:
    """libpq's first line, without the "connection to server at ... failed:" preamble."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    reason = first.rsplit(" failed: ", 1)[-1]
    return " ".join(reason.split())


def _terminate(process: subprocess.Popen[Any]) -> bool:
    """SIGTERM to the process's group (uvicorn finishes its requests), SIGKILL if it lingers.

    True once the process and every other process of its group have ended.
    """
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=KILL_WAIT_SECONDS)
    if process.poll() is None:
        return False
    # The group outlives its leader if the leader had children (uvicorn with workers).
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while _group_alive(process.pid):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_port() -> int:
    """A TCP port nothing listens on now (for a backing server whose usual port is taken)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _say(message: str) -> None:
    # Flushed at once: when the output is a file or a pipe (a log, a supervisor, a test) each
    # step must show as it happens, not when a buffer fills.
    print(message, flush=True)
