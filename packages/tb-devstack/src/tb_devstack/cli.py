"""``python -m tb_devstack up [--check]``."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import httpx

from .stack import DevStack, StackError, find_repo_root


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tb_devstack", description="Run TB ERP on this machine."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser(
        "up",
        help="start the database and every service, print their URLs and the demo logins",
    )
    up.add_argument(
        "--check",
        action="store_true",
        help="start everything, check that each service is ready and a demo login works, stop",
    )
    args = parser.parse_args(argv)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        root = find_repo_root(Path.cwd())
        with DevStack(root) as stack:
            if args.check:
                print(stack.banner(footer="Checking, then stopping."), flush=True)
                return check(stack)
            print(stack.banner(), flush=True)
            try:
                _watch(stack)
            except KeyboardInterrupt:
                print("\ntb-devstack: stopping TB ERP", flush=True)
        print("tb-devstack: stopped")
        return 0
    except StackError as exc:
        print(f"tb-devstack: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tb-devstack: interrupted, everything is stopped", file=sys.stderr)
        return 130


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _watch(stack: DevStack) -> None:
    """Wait for Ctrl-C; a service that dies on its own ends the stack, with its log's tail."""
    while True:
        time.sleep(0.5)
        exited = stack.first_exited()
        if exited is not None:
            raise StackError(
                f"{exited.service.name} stopped (exit code {exited.process.returncode}). "
                f"Last lines of its log:\n{exited.log_tail()}"
            )


def check(stack: DevStack) -> int:
    """Each service answers /health and /ready, and the first demo login gets a token."""
    failures: list[str] = []

    def verify(what: str, ok: bool, detail: str = "") -> None:
        print(f"  {'ok  ' if ok else 'FAIL'}  {what}{'' if ok else f': {detail}'}", flush=True)
        if not ok:
            failures.append(what)

    with httpx.Client(timeout=10.0) as client:
        for running in stack.running:
            for path in ("/health", running.service.ready_path):
                response = client.get(running.url + path)
                verify(
                    f"GET {running.url}{path}",
                    response.status_code == 200,
                    f"HTTP {response.status_code} {response.text[:300]}",
                )
        login_service = next((r for r in stack.running if r.service.login_path), None)
        if login_service is not None:
            assert login_service.service.login_path is not None
            url = login_service.url + login_service.service.login_path
            if not stack.logins:
                verify(f"POST {url}", False, "seed-demo printed no demo logins")
            else:
                login = stack.logins[0]
                response = client.post(url, json={"email": login.email, "password": login.password})
                body = _json(response)
                verify(
                    f"POST {url} as {login.email} ({login.role})",
                    response.status_code == 200 and bool(body.get("access_token")),
                    f"HTTP {response.status_code} {response.text[:300]}",
                )
    if failures:
        print(f"tb-devstack check: FAILED ({len(failures)} problem(s))", flush=True)
        return 1
    print("tb-devstack check: everything answered as it should", flush=True)
    return 0


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
