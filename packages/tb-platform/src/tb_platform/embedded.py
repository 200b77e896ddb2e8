"""An embedded PostgreSQL for machines that have none: the server ships in the ``pgserver`` wheel.

We use the wheel's programs (``initdb``, ``postgres``) but not pgserver's server management, whose
state does not survive a killed run: it counts the processes sharing a server in
``.handle_pids.json``, rewritten in place (a kill at the wrong moment leaves it empty, and every later
start fails on the JSON) and never pruned of dead processes (then no one stops the server); it trusts
the pid in ``postmaster.pid`` (which a half-written file or a reused pid makes wrong); and it starts
the server detached, so it outlives an owner that is killed.

Here the caller owns the data directory (tb-devstack holds a lock on it; tests use a fresh one):

- a server still running on it is a leftover of an earlier run: it is stopped before we start;
- the stale files such a run leaves (``postmaster.pid``, socket locks, pgserver's pid list) go;
- the cluster is made in a scratch folder and renamed into place, so an interrupted ``initdb`` is
  never taken for a cluster;
- the server is our child, in its own session (a Ctrl-C meant for us does not reach it), stopped
  by ``stop()``, and on Linux it shuts down by itself if we die without stopping it.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import hashlib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psutil

SUPERUSER = "postgres"
PORT = 5432  # the socket file's name only: the server listens on no TCP address
READY_TIMEOUT_SECONDS = 30.0
FAST_STOP_SECONDS = 10.0  # fast shutdown: sessions are ended, a checkpoint is written
KILL_WAIT_SECONDS = 5.0
_SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes; keep a margin
_SYSTEM_USER = "pgserver"  # PostgreSQL refuses to run as root: pgserver's user for that case


class EmbeddedPostgresError(RuntimeError):
    """The embedded server did not start, or a process of it would not end."""


def die_with_parent(signum: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel send ``signum`` to the child when we die (Linux).

    So a server or service we start does not outlive us even when we are killed with SIGKILL.
    ``None`` where that is not available (other systems, or not called from the main thread: the
    signal follows the thread that started the child, and another thread may end long before us).
    """
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signum), 0, 0, 0)
        if os.getppid() != parent:  # we died before the child asked: act as the kernel would
            os.kill(os.getpid(), signum)

    return preexec


class EmbeddedPostgres:
    """A running embedded server. ``stop()`` ends it (and every process of it) and is idempotent."""

    def __init__(self, data_dir: Path, socket_dir: Path, process: subprocess.Popen[bytes]) -> None:
        self.data_dir = data_dir
        self.socket_dir = socket_dir
        self.process = process
        self._stopped = False

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def log(self) -> Path:
        return self.data_dir / "log"

    def get_uri(self, database: str = SUPERUSER) -> str:
        """A ``postgresql://`` URL over the unix socket (psycopg and asyncpg accept ``?host=``)."""
        return f"postgresql://{SUPERUSER}:@/{database}?host={self.socket_dir}"

    def stop(self) -> None:
        """Fast shutdown, then SIGKILL if it lingers; returns once no process of it is left.

        Raises EmbeddedPostgresError naming the processes that would not end.
        """
        if self._stopped:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.process.wait(timeout=FAST_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=KILL_WAIT_SECONDS)
        # Its backends end after it; anything of this data directory still there is stopped too.
        stop_servers(self.data_dir)
        self._stopped = True
        with contextlib.suppress(ValueError):
            atexit.unregister(self.stop)


def start_embedded_postgres(data_dir: Path) -> tuple[EmbeddedPostgres, str]:
    """Start the PostgreSQL whose data lives in ``data_dir`` (created on first use).

    Returns the server (call ``stop()`` when done; it is also stopped when the process exits) and
    a ``postgresql://`` URL that reaches it over its unix socket. Whatever an earlier run left in
    ``data_dir`` (a server still running, stale pid and lock files) is cleared first: the caller
    must own ``data_dir``.
    """
    data_dir = data_dir.expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    stop_servers(data_dir)
    socket_dir = _socket_dir(data_dir)
    _forget_stale_state(data_dir, socket_dir)
    if not (data_dir / "PG_VERSION").is_file():
        _create_cluster(data_dir)
    if socket_dir != data_dir:
        socket_dir.mkdir(mode=0o700, exist_ok=True)
    _own(socket_dir)

    argv = [
        str(_bin("postgres")),
        "-D",
        str(data_dir),
        "-p",
        str(PORT),
        "-c",
        "listen_addresses=",
        "-k",
        str(socket_dir),
    ]
    data_dir.chmod(0o700)  # PostgreSQL refuses a data directory others may read
    log_path = data_dir / "log"
    with log_path.open("ab") as log:
        _give(log_path)  # the server's file, like every other in its data directory
        process = subprocess.Popen(  # noqa: S603 (the wheel's own server)
            argv,
            cwd=data_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=_system_user(),
            preexec_fn=die_with_parent(signal.SIGINT),
        )
    server = EmbeddedPostgres(data_dir, socket_dir, process)
    try:
        _wait_ready(server)
    except BaseException:
        server.stop()
        raise
    atexit.register(server.stop)
    return server, server.get_uri()


def server_processes(data_dir: Path) -> list[psutil.Process]:
    """The live PostgreSQL processes serving ``data_dir`` (the postmaster and its children).

    A postgres process works in its data directory, so its working directory names it; a
    postmaster is also recognised by ``-D <data_dir>``. Other clusters' processes never match.
    """
    import psutil

    data_dir = data_dir.resolve()
    found = []
    for process in psutil.process_iter(["name", "cwd", "cmdline", "status"]):
        info = process.info
        if info["name"] != "postgres" or info["status"] == psutil.STATUS_ZOMBIE:
            continue
        cwd, cmdline = info["cwd"], info["cmdline"] or []
        serves = cwd is not None and Path(cwd) == data_dir
        serves = serves or any(
            flag == "-D" and value == str(data_dir) for flag, value in itertools.pairwise(cmdline)
        )
        if serves:
            found.append(process)
    return found


def stop_servers(data_dir: Path) -> list[int]:
    """Stop every PostgreSQL process serving ``data_dir``; their pids (an empty list if none).

    Fast shutdown first (SIGINT to each postmaster), SIGKILL for what is still there after
    FAST_STOP_SECONDS. Raises EmbeddedPostgresError if a process outlives that too.
    """
    processes = server_processes(data_dir)
    if not processes:
        return []
    pids = {process.pid for process in processes}
    postmasters = [p for p in processes if _parent_pid(p) not in pids]
    _signal(postmasters, signal.SIGINT)
    alive = _wait_gone(processes, FAST_STOP_SECONDS)
    if alive:
        _signal(alive, signal.SIGKILL)
        alive = _wait_gone(alive, KILL_WAIT_SECONDS)
    if alive:
        raise EmbeddedPostgresError(
            f"PostgreSQL processes of {data_dir} did not end: pids {sorted(p.pid for p in alive)}"
        )
    return sorted(pids)


# -- the pieces ---------------------------------------------------------------------------------


def _pgserver() -> ModuleType:
    """pgserver's ``utils`` module; imported here, because only development and tests need it
    (tb-devstack and the dev group install it), so service images carry no PostgreSQL server."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); we do not use it.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver.utils
    return pgserver.utils


def _bin(program: str) -> Path:
    return Path(str(_pgserver().__file__)).parent / "pginstall" / "bin" / program


def wheel_program(program: str) -> Path:
    """The path of one of the pgserver wheel's programs (``pg_dump``, ``pg_restore``, ``psql``…),
    given the permissions the server's own programs get when it is not runnable as installed.

    Raises ImportError when the wheel is not installed (service images carry none).
    """
    path = _bin(program)
    if path.is_file() and not os.access(path, os.X_OK):
        _open_programs()
    return path


def _open_programs() -> None:
    """As pgserver does: let every user reach and run the wheel's programs and read its libraries."""
    utils = _pgserver()
    bin_path = _bin("postgres").parent
    utils.ensure_prefix_permissions(bin_path)
    readable = 0o044
    utils.ensure_folder_permissions(bin_path, readable | 0o011)
    utils.ensure_folder_permissions(bin_path.parent / "lib", readable)


@functools.cache
def _system_user() -> str | None:
    """The user the server runs as: ourselves, or pgserver's own user when we are root."""
    if os.name == "nt" or os.geteuid() != 0:
        return None
    _pgserver().ensure_user_exists(_SYSTEM_USER)
    _open_programs()  # that user must be able to reach and run the wheel's programs
    return _SYSTEM_USER


def _own(path: Path) -> None:
    """Give ``path`` to the server's user (when we are root) and let that user reach it."""
    if _system_user() is not None:
        _pgserver().ensure_prefix_permissions(path)  # its parents: g+rx, o+rx
        _give(path)


def _give(path: Path) -> None:
    """Make the server's user (when we are root) the owner of ``path``."""
    user = _system_user()
    if user is not None:
        import pwd

        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _socket_dir(data_dir: Path) -> Path:
    """The data directory itself, unless its path is too long for a unix socket."""
    if len(str(data_dir / f".s.PGSQL.{PORT}").encode()) <= _SOCKET_PATH_MAX:
        return data_dir
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"tb-erp-pg-{digest}"


def _forget_stale_state(data_dir: Path, socket_dir: Path) -> None:
    """Remove what a killed run leaves behind, once no server of ``data_dir`` runs.

    postmaster.pid may be half-written or name a pid reused by another process (PostgreSQL then
    refuses to start); the socket's lock file likewise; pgserver's pid list may be empty or
    garbage (pgserver then fails on it), and we do not use it.
    """
    stale = [
        data_dir / "postmaster.pid",
        data_dir / ".handle_pids.json",
        socket_dir / f".s.PGSQL.{PORT}",
        socket_dir / f".s.PGSQL.{PORT}.lock",
    ]
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _create_cluster(data_dir: Path) -> None:
    """``initdb`` into a scratch folder, then rename it to ``data_dir``: all or nothing."""
    scratch = data_dir.with_name(f".{data_dir.name}.initdb")
    shutil.rmtree(scratch, ignore_errors=True)  # an earlier initdb that was cut short
    scratch.mkdir(mode=0o700)
    _own(scratch)
    try:
        result = subprocess.run(  # noqa: S603 (the wheel's own initdb)
            [
                str(_bin("initdb")),
                "-D",
                str(scratch),
                "--auth=trust",
                "--auth-local=trust",
                "--encoding=utf8",
                "-U",
                SUPERUSER,
            ],
            cwd=scratch,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            start_new_session=True,  # a Ctrl-C meant for us does not cut it short
            user=_system_user(),
            preexec_fn=die_with_parent(signal.SIGTERM),
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(
                f"initdb failed (exit code {result.returncode}): {result.stdout}{result.stderr}"
            )
        # No PG_VERSION: not a cluster (at most the debris of a run that never made one).
        if data_dir.exists():
            shutil.rmtree(data_dir)
        scratch.rename(data_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _wait_ready(server: EmbeddedPostgres) -> None:
    """Until postmaster.pid says our server is ready (what ``pg_ctl -w`` waits for)."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pid_file = server.data_dir / "postmaster.pid"
    while time.monotonic() < deadline:
        code = server.process.poll()
        if code is not None:
            raise EmbeddedPostgresError(
                f"PostgreSQL exited (code {code}) while starting: {_log_tail(server.log)}"
            )
        try:
            lines = pid_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            lines = []
        if len(lines) >= 8 and lines[0].strip() == str(server.pid) and lines[7].strip() == "ready":
            return
        time.sleep(0.05)
    raise EmbeddedPostgresError(
        f"PostgreSQL was not ready after {READY_TIMEOUT_SECONDS:.0f} s: {_log_tail(server.log)}"
    )


def _log_tail(log: Path, lines: int = 5) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return " | ".join(text.strip().splitlines()[-lines:])


def _parent_pid(process: Any) -> int | None:
    import psutil

    try:
        return int(process.ppid())
    except psutil.Error:
        return None


def _signal(processes: Iterable[Any], signum: int) -> None:
    import psutil

    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.send_signal(signum)


def _wait_gone(processes: list[Any], timeout: float) -> list[Any]:
    """The processes still alive after ``timeout`` seconds (a zombie counts as gone)."""
    import psutil

    deadline = time.monotonic() + timeout
    alive = list(processes)
    while True:
        still = []
        for process in alive:
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    still.append(process)
            except psutil.Error:
                pass
        alive = still
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)
