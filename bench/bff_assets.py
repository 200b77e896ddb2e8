"""Benchmark: the web app's enriched asset list against the asset service's own list, one run.

    uv run python bench/bff_assets.py [--connections 64] [--seconds 20] [--limit 20]

Starts the whole ERP as the browser tests do (``python -m tb_devstack.ephemeral``: its own
database, free ports, services, workers and the built web app), signs in once through the web
app's sign-in endpoint and once at the employee service, then loads each URL with autocannon
(``--connections`` connections for ``--seconds`` seconds, after a short warm-up):

* ``asset-service  GET /api/v1/assets?limit=N``   the service's own page (Bearer token);
* ``web BFF        GET /api/assets?limit=N``      the same page through the BFF: session cookie
  decrypted, the asset page fetched, the owners named with one batched employee look-up.

It prints req/s, p50 and p99 latency of both and their ratios (BFF / service). Both answer the
repeated page from a cache that a change makes stale: the service from its page cache, the BFF
from its kept answers (one Redis MGET of the generations; apps/web-frontend, "Kept answers").
Composing every answer (``Cache-Control: no-cache`` on the BFF) costs it two service calls and a
merge: about a fifth of the service's req/s on this machine. Exits non-zero if a run saw
errors (non-2xx answers or failed connections).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
AUTOCANNON = ROOT / "node_modules" / "autocannon" / "autocannon.js"


def start_erp() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tb_devstack.ephemeral"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if not os.environ.get("BENCH_VERBOSE") else None,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("{"):
            return process, json.loads(line)
    process.wait()
    raise SystemExit(
        f"the ERP did not start (exit code {process.returncode}); BENCH_VERBOSE=1 shows why"
    )


def stop_erp(process: subprocess.Popen[str]) -> None:
    if process.stdin is not None:
        process.stdin.close()  # the stack stops and drops its database
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait()


def service_token(erp: dict[str, Any], login: dict[str, str]) -> str:
    answer = httpx.post(
        erp["services"]["employee-service"] + "/api/v1/auth/login",
        json={"email": login["email"], "password": login["password"]},
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def session_cookie(erp: dict[str, Any], login: dict[str, str]) -> str:
    base = erp["web_url"]
    with httpx.Client(base_url=base, timeout=30) as browser:
        csrf = browser.get("/api/auth/csrf").json()["csrfToken"]
        answer = browser.post(
            "/api/auth/callback/credentials",
            data={
                "csrfToken": csrf,
                "email": login["email"],
                "password": login["password"],
                "callbackUrl": base + "/",
                "json": "true",
            },
            headers={"Origin": base},
        )
        answer.raise_for_status()
        cookie = next((c for c in browser.cookies.jar if c.name.endswith("session-token")), None)
        if cookie is None:
            raise SystemExit("signing in to the web app set no session cookie")
        return f"{cookie.name}={cookie.value}"


def load(url: str, headers: dict[str, str], *, connections: int, seconds: int) -> dict[str, Any]:
    argv = ["node", str(AUTOCANNON), "--json", "--connections", str(connections)]
    for name, value in headers.items():
        argv += ["--headers", f"{name}={value}"]
    # Warm-up (JIT, connection pools, caches), not counted.
    subprocess.run([*argv, "--duration", "3", url], check=True, capture_output=True)  # noqa: S603
    done = subprocess.run(  # noqa: S603
        [*argv, "--duration", str(seconds), url], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args()
    if not AUTOCANNON.exists():
        raise SystemExit("autocannon is missing: run `npm ci` at the repository root")

    process, erp = start_erp()
    try:
        login = next(x for x in erp["logins"] if x["role"] == "asset_manager")
        token = service_token(erp, login)
        cookie = session_cookie(erp, login)
        runs = {
            "asset-service": load(
                f"{erp['services']['asset-service']}/api/v1/assets?limit={args.limit}",
                {"authorization": f"Bearer {token}"},
                connections=args.connections,
                seconds=args.seconds,
            ),
            "web BFF": load(
                f"{erp['web_url']}/api/assets?limit={args.limit}",
                {"cookie": cookie},
                connections=args.connections,
                seconds=args.seconds,
            ),
        }
    finally:
        stop_erp(process)

    print(
        f"GET a page of {args.limit} assets, {args.connections} connections, "
        f"{args.seconds} s each (autocannon)"
    )
    print(f"{'':16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}{'errors':>9}")
    failed = False
    for name, run in runs.items():
        bad = int(run.get("non2xx", 0)) + int(run.get("errors", 0)) + int(run.get("timeouts", 0))
        failed |= bad > 0
        print(
            f"{name:16}{run['requests']['average']:>10.1f}{run['latency']['p50']:>10.1f}"
            f"{run['latency']['p99']:>10.1f}{run.get('non2xx', 0):>10}{run.get('errors', 0):>9}"
        )
    service, bff = runs["asset-service"], runs["web BFF"]
    print(
        f"ratio BFF / service: req/s {bff['requests']['average'] / service['requests']['average']:.2f}, "
        f"p99 {bff['latency']['p99'] / max(service['latency']['p99'], 0.001):.2f}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
