"""The RBAC matrix: every route by every role, answered as the permission tables say.

The expectations are not written by hand: :func:`route_rules` reads each route's rules from its
dependencies (what :meth:`tb_platform.rbac.Policy.require` returns carries its
:class:`~tb_platform.rbac.Rule`), and for each role the rule's table decides:

* no permission (or a narrower one than the rule asks for) → 403 with code ``forbidden``;
* ``ALL`` → the route's success status;
* ``OWN`` → the success status on a row of the caller's own, 404 on someone else's; a list
  answers 200 with only the caller's rows;
* ``PUBLIC`` routes answer everyone, with or without a token; ``AUTHENTICATED`` ones every role;
* without a token, every route that is not public answers 401.

A service's test gives a *probe* per route: how to call it (path parameters of rows it seeds,
query, body) for a caller and a target (:class:`Cell`)::

    async def read_invoice(cell: Cell) -> Call:
        invoice = await seed_invoice(cell, employee_id=cell.owner)
        return Call(path={"invoice_id": invoice["id"]})

    result = await run_matrix(app, policy=POLICY, tokens=tokens, probes=PROBES)
    assert result.ok, result.report()

Each request runs in a transaction of its own that is rolled back afterwards (a DELETE as admin
leaves the row for the next caller), and seeds its rows inside it. The result fails when a route
has no rule and is not declared public or authenticated, when a route has no probe (an endpoint
added without matrix coverage) and when any answer differs from the table; :meth:`MatrixResult.report`
lists all of them in one table.
"""

from __future__ import annotations

import datetime as dt
import traceback
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import insert

from ..events.catalog import EmployeeCreated
from ..events.envelope import Envelope
from ..events.worker import WorkerSpec
from ..rbac import Access, Policy, Rule, Scope, rule_of
from .harness import TokenFactory, rolled_back

__all__ = [
    "ROLES",
    "Call",
    "Cell",
    "MatrixResult",
    "Outcome",
    "Probe",
    "RouteRules",
    "Target",
    "platform_probes",
    "route_rules",
    "run_matrix",
]

ROLES: tuple[str, ...] = ("admin", "asset_manager", "accountant", "hr_manager", "employee")
BASE_URL = "http://testserver"
ANONYMOUS = "no token"


class Target(StrEnum):
    """Whose row a probe addresses."""

    ANY = "any"
    """The caller's reach is not limited (or they are refused anyway): someone else's row."""
    OWN = "own"
    """A row of the caller's own employee record."""
    OTHER = "other"
    """Someone else's row, for a caller limited to their own (404 expected)."""


@dataclass(frozen=True)
class RouteRules:
    """One operation of the app and what it declares about access."""

    method: str
    path: str
    rules: tuple[Rule, ...]
    access: Access | None
    success: int

    @property
    def key(self) -> str:
        """``"GET /api/v1/things/{thing_id}"``: how probes and reports name the operation."""
        return f"{self.method} {self.path}"

    @property
    def missing(self) -> bool:
        """Neither a rule nor a declaration that it needs none."""
        return not self.rules and self.access is None

    @property
    def public(self) -> bool:
        return not self.rules and self.access is Access.PUBLIC

    def declared(self) -> str:
        if self.rules:
            return ", ".join(str(rule) for rule in self.rules)
        return self.access.value if self.access is not None else "no rule"


def _declarations(dependant: Dependant, found: list[Rule | Access]) -> list[Rule | Access]:
    declaration = rule_of(dependant.call)
    if declaration is not None:
        found.append(declaration)
    for sub in dependant.dependencies:
        _declarations(sub, found)
    return found


def route_rules(app: FastAPI) -> list[RouteRules]:
    """Every operation of ``app`` with the rules its dependencies carry (a route may have
    several: writing invoices and reading customers), or the access it declares instead."""
    routes = []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue  # /openapi.json and static files: no FastAPI route, nothing to check
        found = _declarations(context.dependant, [])
        rules = tuple(dict.fromkeys(item for item in found if isinstance(item, Rule)))
        declared = [item for item in found if isinstance(item, Access)]
        # Public only if nothing says otherwise: a token asked anywhere makes it authenticated.
        access = None
        if declared:
            access = Access.AUTHENTICATED if Access.AUTHENTICATED in declared else Access.PUBLIC
        for method in sorted(context.methods or ()):
            routes.append(
                RouteRules(
                    method=method,
                    path=context.path_format or "",
                    rules=rules,
                    access=access,
                    success=context.status_code or 200,
                )
            )
    return routes


@dataclass
class Cell:
    """One request of the matrix, as its probe sees it (inside its rolled-back transaction)."""

    app: FastAPI
    client: httpx.AsyncClient
    tokens: TokenFactory
    admin: dict[str, str]
    """Headers of an admin without an employee record, for seeding through the API."""
    role: str | None
    """The caller's one role; None for the request without a token."""
    target: Target
    me: int
    """The employee record of the caller's token."""
    other: int
    """Another employee."""

    @property
    def owner(self) -> int:
        """The employee whose row the probe addresses: ``me`` for OWN, else ``other``."""
        return self.me if self.target is Target.OWN else self.other

    def headers_of(self, employee_id: int, *roles: str) -> dict[str, str]:
        """Headers of ``employee_id`` (role ``employee`` by default), e.g. to seed their rows."""
        return self.tokens.headers(
            *(roles or ("employee",)), employee_id=employee_id, sub=str(employee_id)
        )


@dataclass(frozen=True)
class Call:
    """What a probe sends: path parameters, query, body (JSON or files), extra headers.

    ``owner``: for a list, the field of each item naming the employee the row belongs to; a
    caller limited to their own rows must then get at least one row and only theirs, and a
    caller who sees all must get someone else's too (so a list probe seeds rows of both
    ``me`` and ``other``).
    """

    path: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] | None = None
    json: Any = None
    files: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    owner: str | None = None


Probe = Callable[[Cell], Awaitable[Call | None]]
"""Seeds what the route needs and says how to call it; None for :attr:`Target.OTHER` when the
route addresses nobody else's row (a creation, the caller's own record)."""
People = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[tuple[int, int]]]
"""Makes the caller's employee and another one (inside the cell's transaction): (me, other)."""


@dataclass(frozen=True)
class Outcome:
    """One request of the matrix and whether its answer is the table's."""

    route: str
    caller: str
    target: Target
    expected: int
    got: str
    answer: str
    ok: bool


@dataclass
class MatrixResult:
    """What the matrix found; :attr:`ok` only when nothing is missing and every answer fits."""

    routes: list[RouteRules]
    roles: tuple[str, ...]
    outcomes: list[Outcome] = field(default_factory=list)
    missing_rules: list[str] = field(default_factory=list)
    missing_probes: list[str] = field(default_factory=list)
    unknown_probes: list[str] = field(default_factory=list)
    table_problems: list[str] = field(default_factory=list)

    @property
    def checked_routes(self) -> list[RouteRules]:
        return [route for route in self.routes if not route.missing]

    @property
    def cells(self) -> int:
        """Routes times roles of the matrix (not counting the requests without a token)."""
        return len(self.routes) * len(self.roles)

    @property
    def requests(self) -> int:
        return len(self.outcomes)

    @property
    def mismatches(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    @property
    def ok(self) -> bool:
        return not (
            self.mismatches
            or self.missing_rules
            or self.missing_probes
            or self.unknown_probes
            or self.table_problems
        )

    def declared(self, access: Access) -> list[str]:
        """The operations that declare ``access`` instead of a rule."""
        return [route.key for route in self.routes if not route.rules and route.access is access]

    def summary(self) -> str:
        return (
            f"{len(self.routes)} routes x {len(self.roles)} roles = {self.cells} cells, "
            f"{self.requests} requests (with the own/other rows and without a token)"
        )

    def report(self) -> str:
        """Everything that is wrong, in one message."""
        parts = [self.summary()]
        if self.missing_rules:
            parts.append(
                "Routes without a rule (give them a POLICY.require dependency, or declare them "
                "PUBLIC / AnyAuthenticated):\n" + "\n".join(f"  {k}" for k in self.missing_rules)
            )
        if self.missing_probes:
            parts.append(
                "Routes without a probe (add one to the service's RBAC matrix test):\n"
                + "\n".join(f"  {key}" for key in self.missing_probes)
            )
        if self.unknown_probes:
            parts.append(
                "Probes of no route of the app:\n"
                + "\n".join(f"  {key}" for key in self.unknown_probes)
            )
        if self.table_problems:
            parts.append("Permission tables:\n" + "\n".join(f"  {p}" for p in self.table_problems))
        mismatches = self.mismatches
        if mismatches:
            header = ("route", "caller", "row", "expected", "got", "answer")
            rows = [header] + [
                (o.route, o.caller, o.target.value, str(o.expected), o.got, o.answer)
                for o in mismatches
            ]
            widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
            lines = [
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
                + "  "
                + row[-1]
                for row in rows
            ]
            parts.append(
                f"{len(mismatches)} answer(s) differ from the permission table:\n"
                + "\n".join(lines)
            )
        return "\n\n".join(parts)


def _expectations(route: RouteRules, role: str | None) -> list[tuple[Target, int]]:
    """The requests a caller gets in a route's cell, each with the status the table gives."""
    if route.public:
        return [(Target.ANY, route.success)]
    if role is None:
        return [(Target.ANY, 401)]
    if not route.rules:  # declared authenticated: every caller, about their own things
        return [(Target.OWN, route.success)]
    scopes = [rule.scope_for([role]) for rule in route.rules]
    if None in scopes:
        return [(Target.ANY, 403)]
    if min(scope for scope in scopes if scope is not None) is Scope.ALL:
        return [(Target.ANY, route.success)]
    return [(Target.OWN, route.success), (Target.OTHER, 404)]


def _table_problems(
    routes: Sequence[RouteRules], policy: Policy | None, roles: Sequence[str]
) -> list[str]:
    problems = []
    if policy is not None:
        untested = sorted(set(policy.roles) - set(roles))
        if untested:
            problems.append(f"roles of the table the matrix does not call as: {untested}")
    for route in routes:
        for rule in route.rules:
            if rule.resource not in rule.policy.resources:
                problems.append(
                    f"{route.key}: its rule names {rule.resource!r}, which no role of its "
                    "table has (a typo refuses everyone)"
                )
    return problems


def _rows(body: Any) -> list[Any] | None:
    items = body.get("items") if isinstance(body, dict) else body
    return items if isinstance(items, list) else None


def _judge(
    response: httpx.Response, expected: int, call: Call, target: Target, me: int, other: int
) -> tuple[str, bool]:
    """The answer as the report shows it, and whether it is the one the table gives."""
    got = str(response.status_code)
    if response.status_code != expected:
        return got, False
    try:
        body = response.json()
    except ValueError:
        body = None
    if expected == 403:
        code = body.get("code") if isinstance(body, dict) else None
        return (got, True) if code == "forbidden" else (f"{got} ({code})", False)
    if call.owner is None or not 200 <= expected < 300:
        return got, True
    rows = _rows(body)
    if rows is None:
        return f"{got} (no list of rows)", False
    owners = [row.get(call.owner) if isinstance(row, dict) else None for row in rows]
    if target is Target.OWN:
        if not owners:
            return f"{got} (none of their own rows)", False
        strangers = sorted({str(owner) for owner in owners if owner != me})
        if strangers:
            return f"{got} (rows of {', '.join(strangers)})", False
    elif other not in owners:
        return f"{got} (not the rows of others)", False
    return got, True


def _url(route: RouteRules, call: Call) -> str:
    values = {name: quote(str(value), safe="") for name, value in call.path.items()}
    return route.path.format(**values)


async def _request(
    app: FastAPI,
    route: RouteRules,
    probe: Probe,
    *,
    tokens: TokenFactory,
    admin: dict[str, str],
    people: People | tuple[int, int],
    role: str | None,
    target: Target,
    expected: int,
) -> Outcome | None:
    caller = role or ANONYMOUS

    def outcome(got: str, answer: str, ok: bool) -> Outcome:
        return Outcome(route.key, caller, target, expected, got, answer, ok)

    # A 500 is an answer to report like the others, not an exception that ends the matrix.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        rolled_back(app),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client,
    ):
        try:
            me, other = people if isinstance(people, tuple) else await people(client, admin)
            cell = Cell(app, client, tokens, admin, role, target, me, other)
            call = await probe(cell)
        except Exception as exc:  # a probe that cannot seed is reported with the rest
            where = traceback.extract_tb(exc.__traceback__)[-1]
            return outcome("probe failed", f"{exc!r} at {where.name}:{where.lineno}"[:300], False)
        if call is None:
            if target is Target.OTHER:
                return None  # the route addresses nobody else's row
            return outcome("no call", "the probe sent nothing", False)
        headers = dict(call.headers or {})
        if role is not None:
            headers.update(tokens.headers(role, employee_id=me, sub=str(me)))
        response = await client.request(
            route.method,
            _url(route, call),
            params=call.query,
            json=call.json,
            files=call.files,
            headers=headers,
        )
        got, ok = _judge(response, expected, call, target, me, other)
        return outcome(got, " ".join(response.text.split())[:160], ok)


async def run_matrix(
    app: FastAPI,
    *,
    tokens: TokenFactory,
    probes: Mapping[str, Probe],
    policy: Policy | None = None,
    roles: Sequence[str] = ROLES,
    people: People | tuple[int, int] = (1001, 1002),
) -> MatrixResult:
    """Call every route of ``app`` as each of ``roles`` (one role per token) and without a
    token, and compare each answer with what the route's rules and their tables say.

    ``probes``: per operation (``"GET /api/v1/things/{thing_id}"``), how to call it.
    ``policy``: the service's table; every role of it must be among ``roles``.
    ``people``: the (me, other) employee ids, or a function making them in each cell (when
    they must exist in the service's own database).
    """
    routes = route_rules(app)
    result = MatrixResult(routes=routes, roles=tuple(roles))
    keys = {route.key for route in routes}
    result.missing_rules = [route.key for route in routes if route.missing]
    result.missing_probes = [
        route.key for route in routes if not route.missing and route.key not in probes
    ]
    result.unknown_probes = sorted(set(probes) - keys)
    result.table_problems = _table_problems(routes, policy, roles)
    admin = tokens.headers("admin", sub="rbac-matrix-seed")
    callers: list[str | None] = [*roles, None]
    for route in routes:
        probe = probes.get(route.key)
        if route.missing or probe is None:
            continue
        for role in callers:
            for target, expected in _expectations(route, role):
                outcome = await _request(
                    app,
                    route,
                    probe,
                    tokens=tokens,
                    admin=admin,
                    people=people,
                    role=role,
                    target=target,
                    expected=expected,
                )
                if outcome is not None:
                    result.outcomes.append(outcome)
    return result


# ---- the routes every service app has (tb_platform.app.create_service_app) ----------------------


async def _plain(cell: Cell) -> Call:
    return Call()


def platform_probes(
    *, worker: WorkerSpec | None = None, audit: bool = True, api_prefix: str = "/api/v1"
) -> dict[str, Probe]:
    """Probes of the routes :func:`tb_platform.app.create_service_app` adds: the root, health,
    readiness and documentation pages, ``/audit`` and (with the service's ``worker``) the dead
    letters, whose replay probe seeds a dead letter its consumer has already applied (so the
    replay runs no handler)."""
    probes: dict[str, Probe] = {
        f"GET {path}": _plain
        for path in ("/", "/health", "/ready", "/docs", "/docs/oauth2-redirect", "/redoc")
    }
    if audit:
        probes[f"GET {api_prefix}/audit"] = _plain
    if worker is not None and worker.consumers:
        spec = worker
        consumer = next(iter(spec.consumers))

        async def replay(cell: Cell) -> Call:
            envelope = Envelope.create(
                source="rbac-matrix",
                data=EmployeeCreated(
                    id=cell.other,
                    first_name="Dead",
                    last_name="Letter",
                    email=f"dead-letter-{uuid.uuid4().hex[:8]}@tb-erp.test",
                    status="active",
                ),
            )
            now = dt.datetime.now(dt.UTC)
            async with cell.app.state.database.sessionmaker() as session, session.begin():
                await session.execute(
                    insert(spec.tables.inbox).values(
                        consumer=consumer, event_id=envelope.id, processed_at=now
                    )
                )
                letter = await session.scalar(
                    insert(spec.tables.dead_letters)
                    .values(
                        consumer=consumer,
                        event_id=envelope.id,
                        type=envelope.type,
                        payload=envelope.model_dump(mode="json"),
                        error="RuntimeError: seeded by the RBAC matrix",
                        attempts=1,
                        failed_at=now,
                    )
                    .returning(spec.tables.dead_letters.c.id)
                )
            return Call(path={"dead_letter_id": letter})

        probes[f"GET {api_prefix}/events/dead"] = _plain
        probes[f"POST {api_prefix}/events/dead/{{dead_letter_id}}/replay"] = replay
    return probes
