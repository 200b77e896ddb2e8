#!/usr/bin/env python3
"""TB ERP's two commands, for a machine that has only Python 3.11+ and Node 20+.

    python3 tberp.py up      start the database, every service and the web app; prints the web
                             app's URL and the demo logins
    python3 tberp.py test    run every check and every test; exits non-zero if anything fails

Extra arguments go through: ``up --check`` starts everything, checks it answers and stops;
``up --verbose`` prints a failure's whole story (tracebacks, a command's full output);
``test --filter=@repo/employee-service`` is handed to Turborepo; ``test --quick`` leaves out the
tests marked ``long`` (faults and the load run on the whole ERP, a few minutes), which CI runs.

Standard library only: this file installs the tools everything else needs (uv, then the Python
workspace with ``uv sync``, then the npm workspace with ``npm ci``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent
UV_VERSION = "0.13.9"
TOOLS_VENV = ROOT / ".tools" / "venv"
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""
QUIET_ENV = {
    "TURBO_TELEMETRY_DISABLED": "1",
    "TURBO_NO_UPDATE_NOTIFIER": "1",
    "NEXT_TELEMETRY_DISABLED": "1",
    "DO_NOT_TRACK": "1",
}


def say(message: str) -> None:
    print(f"tberp: {message}", flush=True)


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"tberp: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def run(argv: list[str], env: dict[str, str], output: list[str] | None = None) -> int:
    """Run ``argv`` in the repository; its exit code. Ctrl-C goes to it, and we wait for it.

    With ``output``, what it prints is passed on line by line and kept there as well.
    """
    process = subprocess.Popen(  # noqa: S603 (our own commands)
        argv,
        cwd=ROOT,
        env=env,
        stdout=None if output is None else subprocess.PIPE,
        stderr=None if output is None else subprocess.STDOUT,
    )
    forward = lambda signum, _frame: process.send_signal(signum)  # noqa: E731
    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while process.stdout is not None and output is not None:
            try:
                raw = process.stdout.readline()
            except KeyboardInterrupt:
                continue  # as below: the child stops in order, and what it says still shows
            if not raw:
                break
            sys.stdout.buffer.write(raw)
            sys.stdout.buffer.flush()
            output.append(raw.decode("utf-8", errors="replace"))
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                # The child got the same Ctrl-C from the terminal: let it shut down in order.
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def check(argv: list[str], env: dict[str, str], what: str) -> None:
    code = run(argv, env)
    if code != 0:
        fail(f"{what} failed (exit code {code})", code)


def find_uv(env: dict[str, str]) -> str:
    """uv from PATH, else the one in .tools/venv (installed there with pip on first use)."""
    on_path = shutil.which("uv", path=env.get("PATH"))
    if on_path:
        return on_path
    uv = TOOLS_VENV / BIN / f"uv{EXE}"
    if not uv.exists():
        say(f"uv is not installed: installing uv {UV_VERSION} into {TOOLS_VENV.relative_to(ROOT)}")
        python = TOOLS_VENV / BIN / f"python{EXE}"
        if not python.exists():
            check([sys.executable, "-m", "venv", str(TOOLS_VENV)], env, "creating .tools/venv")
        check(
            [str(python), "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"],
            env,
            "pip install uv",
        )
    # The turbo tasks run `uv run ...`: they must find this uv too.
    env["PATH"] = os.pathsep.join([str(uv.parent), env.get("PATH", "")])
    return str(uv)


def sync_python(env: dict[str, str]) -> str:
    uv = find_uv(env)
    say("installing the Python workspace (uv sync)")
    check([uv, "sync", "--frozen", "--all-packages", "--quiet"], env, "uv sync")
    return uv


def install_node(env: dict[str, str]) -> None:
    npm = shutil.which("npm", path=env.get("PATH"))
    if npm is None:
        fail("npm is not on PATH: install Node.js 20 or newer (https://nodejs.org)")
    lock = ROOT / "package-lock.json"
    installed = ROOT / "node_modules" / ".package-lock.json"  # npm writes it on each install
    if not installed.exists() or lock.stat().st_mtime > installed.stat().st_mtime:
        say("installing the npm workspace (npm ci)")
        check([npm, "ci", "--no-audit", "--no-fund"], env, "npm ci")


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SUMMARY_START = re.compile(r"^=+ short test summary info =+$")
SECTION = re.compile(r"^=+ .* =+$")
FAILURE_LINE = re.compile(
    r"^\s*(FAIL\b|\u00d7|\u276f .*:\d+:\d+|ERROR\b|\S+#\S+: +ERROR\b|Failed: )"
)


def failure_recap(output: list[str]) -> list[str]:
    """The lines of a test run's output that say what failed: pytest's short test summaries,
    Vitest's failed files and tests, Turborepo's failed tasks.

    Grouped output prints a suite when it ends, so one that failed early sits far above the
    last lines a CI page shows; these lines are printed again at the bottom.
    """
    recap: list[str] = []
    in_summary = False
    for line in (ANSI.sub("", raw).rstrip() for raw in output):
        if SUMMARY_START.match(line):
            in_summary = True
        elif in_summary and SECTION.match(line):
            in_summary = False
            recap.append(line)
            continue
        if in_summary or FAILURE_LINE.match(line):
            recap.append(line)
    return recap


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (this file is what runs on an old Python)
        fail(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    if not argv or argv[0] not in ("up", "test"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, extra = argv[0], argv[1:]
    env = {**os.environ, **QUIET_ENV}

    if command == "up":
        uv = sync_python(env)
        install_node(env)  # the web app is built and served from the npm workspace
        return run([uv, "run", "--frozen", "python", "-m", "tb_devstack", "up", *extra], env)

    if "--quick" in extra:
        extra = [arg for arg in extra if arg != "--quick"]
        env["PYTEST_ADDOPTS"] = (env.get("PYTEST_ADDOPTS", "") + " -m 'not long'").strip()
    sync_python(env)
    install_node(env)
    turbo = ROOT / "node_modules" / ".bin" / f"turbo{'.cmd' if os.name == 'nt' else ''}"
    say("running every check and every test (turbo run lint test)")
    # No log prefix: each runner's own summary line (pytest's "N passed") stays whole on its line;
    # grouped order keeps each task's output together.
    output: list[str] = []
    code = run(
        [
            str(turbo),
            "run",
            "lint",
            "test",
            "--continue",
            # Turbo's default is 10 tasks at once: on a 2-core machine ten test suites starving
            # each other made a PostgreSQL connect outlast its 5 s timeout (a flaky 503 in CI).
            "--concurrency=4",
            "--log-prefix=none",
            "--log-order=grouped",
            *extra,
        ],
        env,
        output,
    )
    if code != 0:
        say("what failed (repeated from above):")
        for line in failure_recap(output):
            print(f"  | {line}", flush=True)
    say("all checks and tests passed" if code == 0 else f"FAILED (turbo exit code {code})")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
