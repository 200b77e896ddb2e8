"""Load one URL with autocannon (9.0.0, pinned in the root package.json) and read its figures."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("autocannon_run.cjs")
WARM_UP_SECONDS = 2


@dataclass(frozen=True)
class LoadRun:
    req_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int  # failed connections + timeouts + non-2xx answers
    non2xx: int
    requests: int
    raw: dict[str, Any]


def available() -> bool:
    return (ROOT / "node_modules" / "autocannon" / "autocannon.js").exists()


def _run(options: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 (our own runner)
        ["node", str(RUNNER)],  # noqa: S607 (node from PATH, as the web app's build uses)
        input=json.dumps(options),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"autocannon failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def load(
    url: str,
    *,
    connections: int = 64,
    seconds: int = 10,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | dict[str, Any] | list[Any] | None = None,
    requests: list[dict[str, Any]] | None = None,
    id_replacement: bool = False,
    warm_up: float = WARM_UP_SECONDS,
) -> LoadRun:
    """Load ``url`` for ``seconds`` at ``connections`` connections, after ``warm_up`` uncounted
    seconds.

    ``body`` that is not a string is sent as JSON. ``requests`` (autocannon's request objects:
    ``method``, ``path``, ``headers``, ``body``) are cycled through by each connection.
    ``id_replacement`` replaces ``[<id>]`` in bodies with a fresh id per request.
    """
    all_headers = dict(headers or {})
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
        all_headers.setdefault("content-type", "application/json")
    options: dict[str, Any] = {
        "url": url,
        "connections": connections,
        "method": method,
        "headers": all_headers,
        "idReplacement": id_replacement,
        "timeout": 30,
    }
    if body is not None:
        options["body"] = body
    if requests:
        options["requests"] = requests
    if warm_up > 0:  # connection pools, caches, the planner's statistics: not counted
        _run({**options, "duration": warm_up})
    raw = _run({**options, "duration": seconds})
    non2xx = int(raw.get("non2xx", 0))
    return LoadRun(
        req_per_s=float(raw["requests"]["average"]),
        p50_ms=float(raw["latency"]["p50"]),
        p99_ms=float(raw["latency"]["p99"]),
        errors=int(raw.get("errors", 0)) + int(raw.get("timeouts", 0)) + non2xx,
        non2xx=non2xx,
        requests=int(raw["requests"]["total"]),
        raw=raw,
    )
