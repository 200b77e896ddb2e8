"""Role-based access: one role → permission table per service, and the dependency that applies it.

A service writes its table once, as data::

    POLICY = Policy({
        "admin": {"employees": {READ: ALL, WRITE: ALL}},
        "employee": {"employees": {READ: OWN}},
    })
    ReadEmployees = Annotated[Grant, Depends(POLICY.require("employees", READ))]

An endpoint that receives a :class:`Grant` knows the caller may act, and how far: ``ALL`` rows or
only their ``OWN``. Rows outside an ``OWN`` grant are answered as 404, never as 403, so that a
caller cannot learn that they exist. A route that only some of the roles holding the permission may
use at all asks for the scope it needs: ``POLICY.require("attendance", WRITE, scope=ALL)`` refuses
an ``OWN`` grant with 403.

Each dependency :meth:`Policy.require` returns carries its :class:`Rule` as data, so the rules of a
whole app can be listed (:func:`rule_of`; ``tb_platform.testing.rbac`` checks every route against
its table). A route that deliberately needs no permission of a table says so just as visibly:

* ``dependencies=[PUBLIC]``: no token at all (health, login, the documentation);
* a parameter of type :data:`AnyAuthenticated`: any signed-in caller, acting on their own things;
  ``dependencies=[AUTHENTICATED]`` when the route checks the token itself.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Annotated, Any

from fastapi import Depends

from .errors import Forbidden
from .security import CurrentPrincipal, Principal


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


class Scope(IntEnum):
    """How far a permission reaches; a larger value includes the smaller."""

    OWN = 1
    ALL = 2


READ, WRITE = Action.READ, Action.WRITE
OWN, ALL = Scope.OWN, Scope.ALL

PermissionTable = Mapping[str, Mapping[str, Mapping[Action, Scope]]]


@dataclass(frozen=True, slots=True)
class Grant:
    """The caller and the reach of what they were allowed to do."""

    principal: Principal
    scope: Scope

    @property
    def sees_all(self) -> bool:
        return self.scope is Scope.ALL

    @property
    def own_employee_id(self) -> int | None:
        return self.principal.employee_id

    @property
    def only_employee_id(self) -> int | None:
        """The employee whose rows an OWN grant is limited to; None when it sees all rows.

        A caller with an OWN grant but no employee record gets 0, which matches no row.
        """
        if self.sees_all:
            return None
        return self.principal.employee_id or 0

    def covers(self, employee_id: int | None) -> bool:
        """Whether a row belonging to ``employee_id`` is within this grant."""
        if self.sees_all:
            return True
        return employee_id is not None and employee_id == self.principal.employee_id


class Policy:
    """A service's role → resource → action → scope table."""

    def __init__(self, table: PermissionTable) -> None:
        self._table = table

    @property
    def roles(self) -> Iterable[str]:
        return self._table.keys()

    def scope_for(self, roles: Iterable[str], resource: str, action: Action) -> Scope | None:
        """The widest scope any of ``roles`` has for ``action`` on ``resource``."""
        scopes = [
            scope
            for role in roles
            if (scope := self._table.get(role, {}).get(resource, {}).get(action)) is not None
        ]
        return max(scopes, default=None)

    @property
    def resources(self) -> frozenset[str]:
        """Every resource some role of the table has a permission on."""
        return frozenset(resource for grants in self._table.values() for resource in grants)

    def require(
        self, resource: str, action: Action, *, scope: Scope = Scope.OWN
    ) -> Callable[[Principal], Coroutine[Any, Any, Grant]]:
        """A FastAPI dependency: 401 without a valid token, 403 without the permission (or with
        a narrower one than ``scope``). The dependency carries its :class:`Rule` (:func:`rule_of`).
        """
        rule = Rule(policy=self, resource=resource, action=action, scope=scope)

        async def dependency(principal: CurrentPrincipal) -> Grant:
            granted = rule.scope_for(principal.roles)
            if granted is None:
                if scope is Scope.ALL and self.scope_for(principal.roles, resource, action):
                    raise Forbidden(
                        f"Only a role that may {action.value} all {resource} may do this"
                    )
                raise Forbidden(f"Your roles do not allow you to {action.value} {resource}")
            return Grant(principal=principal, scope=granted)

        dependency.__name__ = f"require_{action.value}_{resource}"
        _declare(dependency, rule)
        return dependency


@dataclass(frozen=True, slots=True)
class Rule:
    """What a route needs: ``action`` on ``resource`` of ``policy``, with at least ``scope``."""

    policy: Policy
    resource: str
    action: Action
    scope: Scope = Scope.OWN

    def scope_for(self, roles: Iterable[str]) -> Scope | None:
        """The scope ``roles`` get under this rule; None when it refuses them (403)."""
        granted = self.policy.scope_for(roles, self.resource, self.action)
        if granted is None or granted < self.scope:
            return None
        return granted

    def __str__(self) -> str:
        wanted = " (all rows)" if self.scope is Scope.ALL else ""
        return f"{self.action.value} {self.resource}{wanted}"


class Access(StrEnum):
    """A route's declaration that it needs no permission of a table, on purpose."""

    PUBLIC = "public"
    """No token: health, readiness, login, the documentation."""
    AUTHENTICATED = "authenticated"
    """Any signed-in caller, acting on their own things."""


_RULE_ATTRIBUTE = "__tb_rbac__"


def _declare(call: Callable[..., Any], declaration: Rule | Access) -> None:
    setattr(call, _RULE_ATTRIBUTE, declaration)


def declare_public(endpoint: Callable[..., Any]) -> None:
    """Mark a route function that a library adds (e.g. the documentation pages) as public."""
    _declare(endpoint, Access.PUBLIC)


def rule_of(call: Any) -> Rule | Access | None:
    """The rule a dependency (or route function) carries, or its declared :class:`Access`."""
    declaration = getattr(call, _RULE_ATTRIBUTE, None)
    return declaration if isinstance(declaration, Rule | Access) else None


async def public_route() -> None:
    """Declares a route public: nobody's token is asked for (it does nothing else)."""


async def authenticated_route() -> None:
    """Declares that a route checks the caller's token itself and acts only on their own
    things (it does nothing else: the route must verify the token)."""


async def any_authenticated(principal: CurrentPrincipal) -> Principal:
    """Any caller with a valid token (401 otherwise), whatever their roles."""
    return principal


_declare(public_route, Access.PUBLIC)
_declare(authenticated_route, Access.AUTHENTICATED)
_declare(any_authenticated, Access.AUTHENTICATED)

PUBLIC = Depends(public_route)
"""``dependencies=[PUBLIC]``: the route needs no token, on purpose."""
AUTHENTICATED = Depends(authenticated_route)
"""``dependencies=[AUTHENTICATED]``: the route verifies the token itself and answers each caller
only about themselves."""
AnyAuthenticated = Annotated[Principal, Depends(any_authenticated)]
"""Any signed-in caller acting on their own things (no permission of a table needed)."""
