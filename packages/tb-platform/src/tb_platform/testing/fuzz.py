"""Probe a service's whole API from outside, with schemathesis, as each role would.

Every operation of the app's OpenAPI document gets requests generated from its description, valid
ones and invalid ones, sent with the token of each role (and without a token), and every answer is
checked against the same document: no 5xx, a status the operation lists, the content type it
lists, and a body of the schema it lists for that status. A service's test is short::

    async def test_every_answer_keeps_the_api_contract(app: FastAPI, tokens: TokenFactory) -> None:
        await fuzz_api(app, tokens, seed=some_rows)

It runs inside one transaction that is rolled back afterwards (:func:`rolled_back`), on the test's
own event loop (the app's database pool belongs to it), so it leaves nothing behind for the tests
after it. Generation is derandomized: the same code and schema send the same requests on every
run, so a failure is reproducible and the test does not flake. ``TB_FUZZ_EXAMPLES`` sets the
examples per operation and generation mode for a deeper run by hand
(``TB_FUZZ_EXAMPLES=200 uv run pytest tests/test_api_fuzz.py``).
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import requests
import requests.adapters
import schemathesis
import urllib3
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .harness import TokenFactory, rolled_back

__all__ = ["CHECKS", "ROLES", "FuzzRun", "FuzzSeed", "fuzz_api"]

ROLES: tuple[str, ...] = ("admin", "accountant", "hr_manager", "asset_manager", "employee")
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
BASE_URL = "http://testserver"

# The arguments of requests.Request that schemathesis' description of a request may carry.
_REQUEST_KEYS = ("method", "url", "headers", "params", "data", "json", "files", "cookies")


@dataclass(frozen=True)
class FuzzSeed:
    """Rows a run may address, made before it (through the API, inside its transaction).

    ``path_values``: per path parameter name, values that exist, so that valid requests also
    reach past the 404 of an unknown id. ``employee_id``: the employee record every token is
    linked to (as the demo logins are), so that "yourself" routes have someone to act for.
    """

    path_values: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    employee_id: int | None = None


Seed = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[FuzzSeed]]
# Per kind of failure (code, title, status): the report of the first request that showed it.
Found = dict[tuple[str, str, int], str]


@dataclass
class FuzzRun:
    """What a run sent (statuses per operation) and what broke the contract."""

    requests: int = 0
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, operation: str, status: int) -> None:
        self.requests += 1
        counts = self.statuses.setdefault(operation, {})
        counts[status] = counts.get(status, 0) + 1

    def unreached(self) -> list[str]:
        """The operations that answered nothing but 401: the run did not really test them."""
        return [
            operation
            for operation, counts in self.statuses.items()
            if counts and set(counts) == {401}
        ]

    @property
    def summary(self) -> str:
        """One line: operations, requests and how many answers were 5xx."""
        server_errors = sum(
            n for counts in self.statuses.values() for status, n in counts.items() if status >= 500
        )
        return (
            f"{len(self.statuses)} operations, {self.requests} requests, "
            f"{server_errors} answers 5xx, {len(self.failures)} operations off contract"
        )

    def __str__(self) -> str:
        lines = [f"{self.requests} requests"]
        for operation, counts in self.statuses.items():
            spread = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
            lines.append(f"  {operation}: {spread}")
        return "\n".join(lines)


def _examples(default: int) -> int:
    configured = os.environ.get("TB_FUZZ_EXAMPLES")
    return int(configured) if configured else default


def _as_request(case: schemathesis.Case, headers: Mapping[str, str]) -> requests.PreparedRequest:
    """The request schemathesis means to send (its own serialisation), as ``headers`` call."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    request = requests.Request(**{key: kwargs[key] for key in _REQUEST_KEYS if key in kwargs})
    # The caller's token replaces whatever the security scheme made schemathesis put there.
    generated = {
        name: value
        for name, value in (request.headers or {}).items()
        if name.lower() != "authorization"
    }
    request.headers = {**generated, **headers}
    return request.prepare()


class _InProcess(requests.adapters.HTTPAdapter):
    """A ``requests`` adapter that hands each request to the app on the test's event loop.

    Schemathesis sends with ``requests``: the requests of a run go through this adapter, and so
    do those a check sends again (the ``not_a_server_error`` check repeats a failing request
    without its odd ``Content-Type``), which would otherwise try to reach a real host.
    """

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.client = client
        self.loop = loop

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        elif body is not None and not isinstance(body, bytes):
            raise TypeError(f"schemathesis prepared a body httpx cannot send: {type(body)!r}")
        outgoing = httpx.Request(
            request.method or "GET",
            request.url or BASE_URL,
            headers=[(name.encode("latin-1"), _wire(v)) for name, v in request.headers.items()],
            content=body,
        )
        answer = asyncio.run_coroutine_threadsafe(self.client.send(outgoing), self.loop).result()
        headers = urllib3.HTTPHeaderDict()
        for name, value in answer.headers.multi_items():
            headers.add(name, value)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=headers,
            status=answer.status_code,
            reason=answer.reason_phrase,
            version=11,
            preload_content=False,
            request_method=request.method,
        )
        return self.build_response(request, raw)


def _wire(value: str | bytes) -> bytes:
    """A header value as a server reads it off the wire (latin-1), as schemathesis sends it."""
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()


_NEVER_REVOKED = 2**31 - 1  # the largest token version a token may carry


def _callers(
    tokens: TokenFactory, roles: Sequence[str], employee_id: int | None
) -> list[tuple[str, dict[str, str]]]:
    """Each role's headers (the first is tried first), then no token at all."""
    callers = []
    for role in roles:
        linked = employee_id if employee_id is not None else (1 if role == "employee" else None)
        sub = str(linked) if linked is not None else f"fuzz-{role}"
        # Valid for longer than a deep run (TB_FUZZ_EXAMPLES) takes, and never revoked: a
        # generated request may change the linked employee's roles or password, which raises
        # their token version (revocation has tests of its own; here it would turn every later
        # request into a 401).
        headers = tokens.headers(
            role, employee_id=linked, sub=sub, lifetime=timedelta(hours=3), ver=_NEVER_REVOKED
        )
        callers.append((role, headers))
    callers.append(("no token", {}))
    return callers


async def fuzz_api(
    app: FastAPI,
    tokens: TokenFactory,
    *,
    roles: Sequence[str] = ROLES,
    max_examples: int = 6,
    coverage: bool = True,
    seed: Seed | None = None,
) -> FuzzRun:
    """Send generated requests to every operation of ``app`` and check every answer.

    ``coverage``: first schemathesis' deterministic coverage cases of each operation (every
    bound, every missing or wrong-typed input, other methods), each as the next caller in turn.
    Then ``max_examples`` generated requests per operation and mode (valid input, invalid
    input), each as one of ``roles`` or without a token. ``seed`` (given an HTTP client on the
    app and an admin's headers) may create rows first and say which ids exist
    (:class:`FuzzSeed`). Raises ``AssertionError`` listing, per operation, each kind of answer
    that broke the contract with the first request that got it; returns what was sent otherwise.
    """
    # The document the app serves at /openapi.json. Not schemathesis.openapi.from_asgi: it
    # starts the app's lifespan on schemathesis' own event-loop thread (whose end would dispose
    # of the database pool from the wrong loop) and sends every request there, outside the
    # test's transaction.
    schema = schemathesis.openapi.from_dict(app.openapi())
    loop = asyncio.get_running_loop()
    run = FuzzRun()

    # A 500 is an answer to check and report like the others (the app logs its traceback), not
    # an exception that ends the run at the first one.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        rolled_back(app),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client,
    ):
        made = await seed(client, tokens.headers("admin", sub="fuzz-seed")) if seed else FuzzSeed()
        callers = _callers(tokens, roles, made.employee_id)

        session = requests.Session()  # plain objects: nothing to close
        session.mount("http://", _InProcess(client, loop))
        # Only the caller's headers; none of requests' defaults (User-Agent, Accept-Encoding).
        session.headers.clear()

        def exchange(
            case: schemathesis.Case, caller: tuple[str, dict[str, str]], phase: str, found: Found
        ) -> None:
            """Send ``case`` as ``caller`` and check the answer."""
            role, headers = caller
            response = session.send(_as_request(case, headers), allow_redirects=False)
            run.count(case.operation.label, response.status_code)
            try:
                case.validate_response(
                    response,
                    checks=list(CHECKS),
                    headers=headers,
                    transport_kwargs={"session": session, "base_url": BASE_URL, "headers": headers},
                )
            except FailureGroup as exc:
                for failure in exc.exceptions:
                    key = (failure.code, failure.title, response.status_code)
                    found.setdefault(key, f"[{phase}, {role}] {exc}")

        def cover(operation: Any, found: Found) -> None:
            """Schemathesis' coverage cases: each bound, missing and wrong-typed input."""
            cases = schema.iter_coverage_cases(
                operation,
                generation_modes=list(MODES),
                generation_config=schema.config.generation_for(operation=operation),
            )
            for number, case in enumerate(cases):
                exchange(case, callers[number % len(callers)], "coverage", found)

        def fuzz(operation: Any, mode: schemathesis.GenerationMode, found: Found) -> None:
            """Hypothesis-generated cases of one mode, as a caller it draws too."""
            cases = [operation.as_strategy(generation_mode=mode)]
            known = {
                parameter.name: list(made.path_values[parameter.name])
                for parameter in operation.path_parameters
                if made.path_values.get(parameter.name)
            }
            if known and mode is schemathesis.GenerationMode.POSITIVE:
                # About half of the valid requests address rows that exist.
                cases.append(
                    st.fixed_dictionaries(
                        {name: st.sampled_from(values) for name, values in known.items()}
                    ).flatmap(
                        lambda path: operation.as_strategy(
                            generation_mode=mode, path_parameters=path
                        )
                    )
                )

            @settings(
                max_examples=_examples(max_examples),
                derandomize=True,
                database=None,
                deadline=None,
                # Every failure is collected rather than raised, so there is nothing to shrink.
                phases=(Phase.explicit, Phase.generate),
                suppress_health_check=list(HealthCheck),
                print_blob=False,
            )
            @given(case=st.one_of(cases), caller=st.sampled_from(callers))
            def check(case: schemathesis.Case, caller: tuple[str, dict[str, str]]) -> None:
                exchange(case, caller, f"{mode.value} input", found)

            try:
                check()
            except Unsatisfiable:
                # Nothing invalid can be sent to an operation without input (GET /health).
                if mode is schemathesis.GenerationMode.POSITIVE:
                    raise

        def probe_all() -> None:
            for result in schema.get_all_operations():
                if not isinstance(result, Ok):
                    raise AssertionError(f"schemathesis cannot read an operation: {result.err()}")
                operation = result.ok()
                # One report per kind of failure and status: the first request that showed it.
                found: Found = {}
                if coverage:
                    cover(operation, found)
                for mode in MODES:
                    fuzz(operation, mode, found)
                if found:
                    run.failures.append(
                        f"{operation.label}:\n" + "\n".join(dict.fromkeys(found.values()))
                    )

        # Hypothesis drives the requests from a worker thread; each one runs on this loop, where
        # the app's database connections (and the rolled-back transaction) live.
        await asyncio.to_thread(probe_all)

    # Shown with ``pytest -s`` (and on failure): the figures of the run.
    print(f"schemathesis on {app.title}: {run.summary}")
    unreached = run.unreached()
    if unreached:
        run.failures.append(
            "No request got past authentication (401 only; is the tokens' key the app's?): "
            + ", ".join(unreached)
        )
    if run.failures:
        raise AssertionError(
            f"{len(run.failures)} operation(s) broke the API contract:\n\n"
            + "\n\n".join(run.failures)
        )
    return run
