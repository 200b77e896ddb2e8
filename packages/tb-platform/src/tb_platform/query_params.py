"""Unknown query parameters are refused, not ignored.

FastAPI ignores a query parameter a route does not declare, so ``GET /assets?stauts=disposed``
(a typo) answers every asset, and a mistyped export filter exports the whole register. The
:func:`reject_unknown_query_params` dependency compares the request's query keys with the names
the route declares (its own parameters and those of every dependency it uses, e.g. ``limit`` and
``sort`` of :data:`tb_platform.paging.ListParamsDep`) and answers a 422 naming each unknown one::

    {"detail": [{"loc": ["query", "stauts"], "field": "stauts",
                 "msg": "Unknown query parameter 'stauts'; ...", "type": "extra_forbidden"}],
     "code": "validation_error"}

:func:`tb_platform.app.create_service_app` applies it to every API route of every service.
``ListParamsDep`` depends on it as well, so a list route is covered even on a router without it
(FastAPI runs a dependency once per request however many times it is declared).
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import AliasChoices, BaseModel
from pydantic.fields import FieldInfo

__all__ = [
    "STRICT_QUERY",
    "declared_query_params",
    "reject_unknown_query_params",
    "route_dependant",
]

# Names a route accepts, by its dependant (built once per route and kept for the app's life).
# ``None``: the route takes any name (a query model with ``extra="allow"``).
_declared: dict[int, tuple[Dependant, frozenset[str] | None]] = {}


def _names(name: str, info: FieldInfo, *, by_name: bool) -> set[str]:
    """The query keys a field is read from: its alias(es), its Python name only when allowed."""
    alias = info.validation_alias
    if isinstance(alias, str):
        names = {alias}
    elif isinstance(alias, AliasChoices):
        names = {choice for choice in alias.choices if isinstance(choice, str)}
    else:
        names = {info.alias or name}
    if by_name:
        names.add(name)
    return names


def _collect(dependant: Dependant) -> frozenset[str] | None:
    """Every query name of the route and of its dependencies; ``None`` when any name goes."""
    names: set[str] = set()
    pending, seen = [dependant], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for field in current.query_params:
            model = field.field_info.annotation
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                names |= _names(field.name, field.field_info, by_name=False)
                continue
            # A query model (``Annotated[Filters, Query()]``): FastAPI reads each of its fields.
            config = model.model_config
            if config.get("extra") == "allow":
                return None
            by_name = bool(config.get("validate_by_name") or config.get("populate_by_name"))
            for name, info in model.model_fields.items():
                names |= _names(name, info, by_name=by_name)
        pending.extend(current.dependencies)
    return frozenset(names)


def _names_of(dependant: Dependant) -> frozenset[str] | None:
    cached = _declared.get(id(dependant))
    if cached is not None and cached[0] is dependant:
        return cached[1]
    names = _collect(dependant)
    _declared[id(dependant)] = (dependant, names)
    return names


def route_dependant(request: Request) -> Dependant | None:
    """The dependant of the request's route, with the dependencies its including routers add."""
    # FastAPI resolves an included router per inclusion: ``scope["route"]`` is the route as its
    # module declared it, while the inclusion's context also holds the dependencies the including
    # routers add. Prefer the latter; fall back to the former (and to older FastAPI versions).
    context = request.scope.get("fastapi", {}).get("effective_route_context")
    dependant = getattr(context, "dependant", None)
    if isinstance(dependant, Dependant):
        return dependant
    dependant = getattr(request.scope.get("route"), "dependant", None)
    return dependant if isinstance(dependant, Dependant) else None


def declared_query_params(request: Request) -> frozenset[str] | None:
    """The query parameter names the request's route declares; ``None`` when any name goes."""
    dependant = route_dependant(request)
    if dependant is None:
        return None
    return _names_of(dependant)


async def reject_unknown_query_params(request: Request) -> None:
    """A dependency: 422 listing every query parameter the route does not declare.

    A declared parameter may repeat (``?ids=1&ids=2``); whether repeating makes sense is the
    parameter's own validation. (Async only so that FastAPI does not hop to a thread for it.)
    """
    declared = declared_query_params(request)
    if declared is None:
        return
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in declared]
    if not unknown:
        return
    accepted = (
        f"this endpoint accepts: {', '.join(sorted(declared))}"
        if declared
        else "this endpoint takes no query parameters"
    )
    raise RequestValidationError(
        [
            {
                "type": "extra_forbidden",
                "loc": ("query", name),
                "msg": f"Unknown query parameter {name!r}; {accepted}",
                "input": request.query_params.getlist(name),
            }
            for name in unknown
        ]
    )


STRICT_QUERY = Depends(reject_unknown_query_params)
"""For ``APIRouter(dependencies=[STRICT_QUERY])`` or ``include_router(..., dependencies=...)``."""
