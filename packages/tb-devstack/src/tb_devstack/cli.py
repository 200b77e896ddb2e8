"""``python -m tb_devstack up [--check] [--verbose]``."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx

from .services import ERP, Service
from .stack import (
    DevStack,
    Interrupted,
    RunningService,
    StackError,
    StopRequest,
    find_repo_root,
)


def main(argv: Sequence[str] | None = None, *, services: Sequence[Service] = ERP) -> int:
    # First of all: from here on a signal only asks the stack to stop (see StopRequest).
    stop_request = StopRequest()
    stop_request.install()
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
    up.add_argument(
        "--no-web",
        action="store_true",
        help="the services only, not the web app (for working on it with `next dev`)",
    )
    up.add_argument(
        "--verbose",
        action="store_true",
        help="on a failure, print the whole error (tracebacks, a command's full output)",
    )
    args = parser.parse_args(argv)
    if args.no_web:
        services = [service for service in services if not service.web_check_paths]

    stack: DevStack | None = None
    try:
        stack = DevStack(find_repo_root(Path.cwd()), services=services, stop_request=stop_request)
        with stack:
            if args.check:
                print(stack.banner(footer="Checking, then stopping."), flush=True)
                code = check(stack)
            else:
                print(stack.banner(), flush=True)
                _watch(stack)
                print("\ntb-devstack: stopping TB ERP", flush=True)
                code = 0
    except Interrupted:
        code = 130
        headline = "tb-devstack: interrupted before TB ERP was up"
    except StackError as exc:
        _explain(exc, verbose=args.verbose)
        code, headline = 1, ""
    else:
        headline = ""
    finally:
        # Stopped: further signals have nothing left to stop. Ignored (not our handler), or the
        # interpreter would restore the default action as it exits and die of them.
        stop_request.ignore()
    return _report_stop(stack, headline, code)


def _report_stop(stack: DevStack | None, headline: str, code: int) -> int:
    """Say what is true: everything stopped, or what could not be stopped (and fail)."""
    if headline:
        print(headline, file=sys.stderr, flush=True)
    if stack is not None and stack.stop_problems:
        problems = "; ".join(stack.stop_problems)
        print(f"tb-devstack: NOT everything stopped: {problems}", file=sys.stderr, flush=True)
        return code or 1
    if stack is not None and stack.started_anything:
        print("tb-devstack: stopped", flush=True)
    return code


def _explain(error: StackError, *, verbose: bool) -> None:
    """The failure in one message; with --verbose, its whole story (or how to get it)."""
    message = f"tb-devstack: {error}"
    more = error.detail is not None or error.__cause__ is not None
    if more and not verbose:
        hint = "(`up --verbose` prints the whole error)"
        message += f" {hint}" if "\n" not in message else f"\n{hint}"
    print(message, file=sys.stderr)
    if verbose and error.detail:
        print(error.detail, file=sys.stderr)
    if verbose and error.__cause__ is not None:
        traceback.print_exception(error.__cause__, file=sys.stderr)
    sys.stderr.flush()


def _watch(stack: DevStack) -> None:
    """Until a stop is asked for; a service that dies on its own ends the stack, with its log."""
    while not stack.stop_request.requested:
        time.sleep(0.2)
        exited = stack.first_exited()
        if exited is not None:
            raise StackError(
                f"{exited.name} stopped (exit code {exited.process.returncode}). "
                f"Last lines of its log:\n{exited.log_tail()}"
            )


def check(stack: DevStack) -> int:
    """Each service answers /health, /ready and its docs (the banner's URL), and the first demo
    login gets a token."""
    failures: list[str] = []

    def verify(what: str, ok: bool, detail: str = "") -> None:
        print(f"  {'ok  ' if ok else 'FAIL'}  {what}{'' if ok else f': {detail}'}", flush=True)
        if not ok:
            failures.append(what)

    with httpx.Client(timeout=10.0) as client:
        for running in stack.servers:
            docs = running.service.docs_path
            paths = dict.fromkeys(  # each once, in order (the web app's health is its readiness)
                (running.service.health_path, running.service.ready_path, *([docs] if docs else []))
            )
            for path in paths:
                response = client.get(running.url + path)
                verify(
                    f"GET {running.url}{path}",
                    response.status_code == 200,
                    f"HTTP {response.status_code} {response.text[:300]}",
                )
        login_service = next((r for r in stack.servers if r.service.login_path), None)
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
                headers = {"Authorization": f"Bearer {body.get('access_token', '')}"}
                for running in stack.servers:
                    for path in running.service.check_paths:
                        answer = client.get(running.url + path, headers=headers)
                        verify(
                            f"GET {running.url}{path} as {login.email}",
                            answer.status_code == 200,
                            f"HTTP {answer.status_code} {answer.text[:300]}",
                        )
                for running in stack.servers:
                    if running.service.web_check_paths:
                        _check_web_app(running, login.email, login.password, verify)
    for running in stack.running:
        if running.role != "server":
            verify(
                f"{running.name} is running",
                running.process.poll() is None,
                f"exited with code {running.process.returncode}:\n{running.log_tail(15)}",
            )
    if failures:
        print(f"tb-devstack check: FAILED ({len(failures)} problem(s))", flush=True)
        return 1
    print("tb-devstack check: everything answered as it should", flush=True)
    return 0


def _check_web_app(
    running: RunningService, email: str, password: str, verify: Callable[[str, bool, str], None]
) -> None:
    """Sign in through the web app's own sign-in endpoint (as its login form does) and read
    its BFF routes with the session cookie it sets."""
    base = running.url
    with httpx.Client(base_url=base, timeout=30.0) as browser:
        page = browser.get("/login")
        verify(f"GET {base}/login", page.status_code == 200, f"HTTP {page.status_code}")
        csrf = _json(browser.get("/api/auth/csrf")).get("csrfToken")
        answer = browser.post(
            "/api/auth/callback/credentials",
            data={
                "csrfToken": str(csrf or ""),
                "email": email,
                "password": password,
                "callbackUrl": base + "/",
                "json": "true",
            },
            headers={"Origin": base},
        )
        signed_in = answer.status_code == 200 and any(
            "session-token" in name for name in browser.cookies
        )
        verify(
            f"sign in to {base} as {email}",
            signed_in,
            f"HTTP {answer.status_code} {answer.text[:300]}",
        )
        for path in running.service.web_check_paths:
            read = browser.get(path)
            verify(
                f"GET {base}{path} as {email}",
                read.status_code == 200,
                f"HTTP {read.status_code} {read.text[:300]}",
            )


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
