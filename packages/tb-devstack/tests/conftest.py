"""Stand-in services, a real embedded PostgreSQL, and ``up`` run as a real process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

import psutil
import pytest

from tb_devstack.backing import Backing
from tb_devstack.services import Service
from tb_devstack.stack import DevStack
from tb_platform.embedded import server_processes, start_embedded_postgres, stop_servers

PYTHON = sys.executable
TESTS = Path(__file__).parent
BANNER_END = "Press Ctrl-C to stop."


def pytest_configure(config: pytest.Config) -> None:
    """Temporary folders outside ``/tmp/pytest-of-<user>``.

    Run as root, the embedded PostgreSQL runs as pgserver's own user, which must be able to reach
    its data folder through every parent. pytest resets ``/tmp/pytest-of-<user>`` to 0700 whenever
    a session starts — and CI runs the other packages' pytest sessions at the same time — so a
    server started under it could lose its way to its data folder ("Permission denied") mid-test.
    """
    if config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="tb-devstack-tests-")
        config.stash[_OWN_BASETEMP] = config.option.basetemp


def pytest_unconfigure(config: pytest.Config) -> None:
    # pytest keeps an explicit --basetemp; the one made above goes with the session.
    own = config.stash.get(_OWN_BASETEMP, None)
    if own is not None:
        shutil.rmtree(own, ignore_errors=True)


_OWN_BASETEMP = pytest.StashKey[str]()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stand_in(name: str, root: Path, stop_seconds: float = 0.0, **changes: Any) -> Service:
    """A service served by stand_in_server.py (pid in ROOT/NAME.pid); its seed prints a login."""
    server = TESTS / "stand_in_server.py"
    fields: dict[str, Any] = {
        "name": name,
        "default_port": free_port(),
        "seed": (PYTHON, "-c", f"print('admin admin@{name}.test pw-{name}')"),
        "serve": (PYTHON, str(server), "{port}", str(root / f"{name}.pid"), str(stop_seconds)),
        "ready_path": "/ready",
        "docs_path": "/docs",
    }
    fields.update(changes)
    return Service(**fields)


def service_pid(root: Path, name: str) -> int:
    return int((root / f"{name}.pid").read_text())


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a zombie has ended; only its exit status is left)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def postgres_pids(data_dir: Path) -> list[int]:
    return sorted(process.pid for process in server_processes(data_dir))


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def copy_cluster(cluster: Path, target: Path) -> Path:
    """A copy of a stopped cluster (``cp -a`` keeps its owner: pgserver's user when root)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(cluster), str(target)], check=True)  # noqa: S603, S607
    return target


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stopped cluster made once by initdb; a test copies it rather than make its own."""
    data = tmp_path_factory.mktemp("cluster") / "postgres"
    server, _ = start_embedded_postgres(data)
    server.stop()
    return data


@pytest.fixture(scope="session")
def postgres_url(cluster: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running embedded PostgreSQL, for the stacks given a DATABASE_URL."""
    data = copy_cluster(cluster, tmp_path_factory.mktemp("shared") / "postgres")
    server, url = start_embedded_postgres(data)
    yield url
    server.stop()


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A repository root (it has a tberp.py); the stack keeps its data in ROOT/.data.

    Afterwards, whatever a failing test left running there is stopped.
    """
    (tmp_path / "tberp.py").write_text("")
    yield tmp_path
    while Up.started:
        Up.started.pop().stop()
    for pid_file in tmp_path.glob("*.pid"):
        with suppress(ValueError, psutil.Error):
            process = psutil.Process(int(pid_file.read_text()))
            if str(pid_file) in process.cmdline():  # ours, not a process that got its pid since
                process.kill()
    stop_servers(tmp_path / ".data" / "postgres")


def make_stack(
    root: Path, *services: Service, backing: Sequence[Backing] = (), **environ: str
) -> DevStack:
    """A stack of stand-ins; without Redis and the SMTP sink unless ``backing`` names them."""
    return DevStack(
        root=root,
        environ={"PATH": "", **environ},
        services=services,
        backing=backing,
        say=lambda _: None,
    )


class Up:
    """``python -m tb_devstack up`` (run_up.py, with stand-ins) as a process; output in files."""

    started: list[Up] = []  # stopped after each test (the ``root`` fixture)

    def __init__(self, root: Path, services: list[Service], *options: str, **environ: str):
        Up.started.append(self)
        self.root = root
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(environ)
        self.stdout_path = root / f"up-{id(self)}.out"
        self.stderr_path = root / f"up-{id(self)}.err"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    PYTHON,
                    str(TESTS / "run_up.py"),
                    json.dumps([asdict(s) for s in services]),
                    *options,
                ],
                cwd=root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait_for_output(self, text: str, timeout: float = 120) -> None:
        def shown() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"up exited ({self.process.returncode}) before printing {text!r}:\n"
                    f"{self.stdout}\n{self.stderr}"
                )
            return text in self.stdout

        wait_for(shown, timeout, repr(text))

    def wait(self, timeout: float = 120) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
