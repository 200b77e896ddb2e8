"""Role-based access: one role → permission table per service, and the dependency that applies it.

A service writes its table once, as data::

    POLICY = Policy({
        "admin": {"employees": {READ: ALL, WRITE: ALL}},
        "employee": {"employees": {READ: OWN}},
    })
    ReadEmployees = Annotated[Grant, Depends(POLICY.require("employees", READ))]

An endpoint that receives a :class:`Grant` knows the caller may act, and how far: ``ALL`` rows or
only their ``OWN``. Rows outside an ``OWN`` grant are answered as 404, never as 403, so that a
caller cannot learn that they exist.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

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

    def require(
        self, resource: str, action: Action
    ) -> Callable[[Principal], Coroutine[Any, Any, Grant]]:
        """A FastAPI dependency: 401 without a valid token, 403 without the permission."""

        async def dependency(principal: CurrentPrincipal) -> Grant:
            scope = self.scope_for(principal.roles, resource, action)
            if scope is None:
                raise Forbidden(f"Your roles do not allow you to {action.value} {resource}")
            return Grant(principal=principal, scope=scope)

        dependency.__name__ = f"require_{action.value}_{resource}"
        return dependency
