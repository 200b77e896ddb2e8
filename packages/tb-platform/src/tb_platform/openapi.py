"""The OpenAPI document tells every status a route really answers, in the one error shape.

FastAPI documents only the success answer and a 422 of its own shape. Clients (the web app's
generated types, schemathesis) need the rest: each operation gets 401/403 when it needs a token,
404 when it addresses a row, 409 when it changes data, 422 when it takes input and 503 when the
database or a backing service may be down, each with the ``{"detail", "code"}`` body that
:mod:`tb_platform.errors` answers — or, when the route declares a model for that status (a bulk
action's 409, :data:`tb_platform.bulk.BULK_RESPONSES`), with that model's body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, Field

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FieldError(BaseModel):
    """One failing input of a 422."""

    loc: list[str | int] = Field(description="Where the input is: body/query/path, then its name")
    field: str = Field(description="The input's name as the client wrote it, e.g. lines.0.amount")
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """Every error answer: a human message (or a list of failing fields) and a stable code."""

    detail: Any
    code: str


class ValidationErrorResponse(BaseModel):
    """A 422: ``detail`` lists every failing input."""

    detail: list[FieldError]
    code: str


_ERROR_DESCRIPTIONS = {
    "401": ("Missing, invalid or expired token", "ErrorResponse"),
    "403": ("The caller's roles do not allow this", "ErrorResponse"),
    "404": ("No such row (or not one the caller may see)", "ErrorResponse"),
    "409": ("Conflicts with the current state of the data", "ErrorResponse"),
    "422": ("Invalid input: detail lists each failing field", "ValidationErrorResponse"),
    "429": ("Too many attempts; retry after the Retry-After header's seconds", "ErrorResponse"),
    "503": ("The database or a backing service is unavailable", "ErrorResponse"),
}


def _needs_token(dependant: Dependant) -> bool:
    from .security import _current_principal  # the auth dependency every protected route has

    if dependant.call is _current_principal:
        return True
    return any(_needs_token(sub) for sub in dependant.dependencies)


def _addresses_a_row(dependant: Dependant) -> bool:
    """Whether the route's path names a row, which may not exist: then it may answer 404.

    Also when the path parameter is taken by a dependency that loads the row (a
    ``valid_employee_id`` loader) while the route's own signature has none. A route that answers
    404 for an id in its query or body declares it (``responses={404: ...}``).
    """
    return bool(dependant.path_params) or any(
        _addresses_a_row(sub) for sub in dependant.dependencies
    )


def _has_input(dependant: Dependant) -> bool:
    return bool(
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.body_params
        or any(_has_input(sub) for sub in dependant.dependencies)
    )


def error_statuses(route: RouteContext, method: str) -> list[str]:
    """The error statuses ``route`` can answer for ``method``, as OpenAPI status keys."""
    dependant: Dependant = route.dependant
    statuses = []
    if _needs_token(dependant):
        statuses += ["401", "403"]
    if _addresses_a_row(dependant):
        statuses.append("404")
    if method in MUTATING:
        statuses.append("409")
    api = (route.path or "").startswith("/api/")
    # API routes also refuse unknown query parameters (tb_platform.query_params), so every one
    # of them may answer 422.
    if api or _has_input(dependant):
        statuses.append("422")
    if api:
        statuses.append("503")
    # A route may declare more (a 404 on /me, a 429 on login); those are kept as declared.
    statuses += [str(code) for code in route.responses if str(code) in _ERROR_DESCRIPTIONS]
    return sorted(set(statuses))


def _declares_model(route: RouteContext, status: str) -> bool:
    """Whether the route's ``responses=`` gives a model of its own for ``status``."""
    declared = {str(code): response for code, response in route.responses.items()}
    return "model" in declared.get(status, {})


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def install_error_documentation(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the error answers of every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (FieldError, ErrorResponse, ValidationErrorResponse):
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components[model.__name__] = definition
        # FastAPI's own 422 shape is not what the services answer.
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for route in iter_route_contexts(app.routes):
            if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
                continue
            operations = schema["paths"].get(route.path_format or "", {})
            for method in route.methods or ():
                operation = operations.get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for status in error_statuses(route, method):
                    description, model_name = _ERROR_DESCRIPTIONS[status]
                    declared = responses.get(status, {})
                    # A route that declares the body of an error (``responses={409: {"model":
                    # BulkRejectedBody}}``) keeps it: that answer carries more than detail/code.
                    content = (
                        declared["content"]
                        if _declares_model(route, status) and "content" in declared
                        else {"application/json": {"schema": _ref(model_name)}}
                    )
                    responses[status] = {
                        "description": declared.get("description") or description,
                        "content": content,
                        **({"headers": declared["headers"]} if "headers" in declared else {}),
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
