from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlmodel import col

from tb_platform import audit
from tb_platform.db import SessionDep
from tb_platform.errors import NotFound, TooManyRequests, Unauthorized, error_body
from tb_platform.rbac import AUTHENTICATED, PUBLIC
from tb_platform.security import TokenService
from tb_platform.token_versions import TokenVersions

from ....core.config import SettingsDep
from ....core.security import PasswordsDep
from ....db.events import AUDIT
from ....models import Employee
from ....schemas.auth import LoginRequest, LoginResponse, LoginUser, TokenVersionPublic
from ....services.auth import authenticate
from ...deps import UnitOfWorkDep

router = APIRouter(prefix="/auth", tags=["auth"])

INVALID_CREDENTIALS = "Invalid email or password"


@router.post(
    "/login",
    response_model=LoginResponse,
    dependencies=[PUBLIC],
    responses={
        401: {"description": INVALID_CREDENTIALS},
        429: {"description": "Too many failures"},
    },
)
async def login(
    body: LoginRequest,
    request: Request,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
) -> LoginResponse | JSONResponse:
    """Exchange email and password for a bearer token (the same 401 for either being wrong)."""

    attempt = {"email": body.email.strip().lower()}
    try:
        result = await authenticate(
            uow,
            email=body.email,
            password=body.password,
            settings=settings,
            passwords=passwords,
            tokens=request.app.state.tokens,
        )
    except TooManyRequests as refused:
        # Answered, not raised, as below: the unit of work commits the record of the attempt.
        audit.record(
            uow.session,
            AUDIT,
            entity="employees",
            entity_id=None,
            action="login_throttled",
            after=attempt,
        )
        return JSONResponse(
            error_body(refused.detail, refused.code),
            status_code=refused.status_code,
            headers=refused.headers,
        )
    if result is None:
        # In a transaction of its own: the attempt stays on record whatever becomes of this one.
        await audit.record_now(
            request.app.state.database,
            AUDIT,
            context=uow.audit_context(),
            entity="employees",
            entity_id=None,
            action="login_failed",
            after=attempt,
        )
        # Answered, not raised: the unit of work must commit the recorded failure.
        return JSONResponse(
            error_body(INVALID_CREDENTIALS, "invalid_credentials"),
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    employee = result.employee
    assert employee.id is not None
    # Who logged in is the employee, not the anonymous caller the unit of work saw.
    audit.record(
        uow.session,
        AUDIT,
        entity="employees",
        entity_id=employee.id,
        action="login",
        context=replace(
            uow.audit_context(),
            actor_sub=str(employee.id),
            actor_roles=tuple(employee.role_names),
        ),
    )
    return LoginResponse(
        access_token=result.access_token,
        expires_in=settings.jwt_ttl_seconds,
        user=LoginUser(
            id=employee.id,
            employee_id=employee.id,
            email=employee.email,
            roles=employee.role_names,
        ),
    )


_bearer = HTTPBearer(auto_error=False, description="The token whose version is asked")


@router.get(
    "/token-version",
    response_model=TokenVersionPublic,
    # Authenticated by the caller's token, checked below without its version (the question).
    dependencies=[AUTHENTICATED],
    responses={
        401: {"description": "No token, or not one this system signed"},
        404: {"description": "The token names no employee"},
    },
)
async def token_version(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenVersionPublic:
    """The current token version of the caller's own employee (other services ask it when Redis
    has lost the version), and puts it back in Redis.

    Authenticated by the caller's own token — signature, issuer, audience and expiry, but not
    its version, which is the question — so it needs no service credentials and tells each
    caller only about themselves. A token whose ``ver`` is below the answer is revoked.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Not authenticated")
    tokens: TokenService = request.app.state.tokens
    principal = tokens.verify(credentials.credentials)
    if principal.employee_id is None:
        raise NotFound("The token names no employee")
    version = await session.scalar(
        select(col(Employee.token_version)).where(col(Employee.id) == principal.employee_id)
    )
    if version is None:
        raise NotFound(f"Employee {principal.employee_id} not found")
    versions: TokenVersions | None = request.app.state.token_versions
    if versions is not None:
        await versions.store({principal.employee_id: version})
    return TokenVersionPublic(employee_id=principal.employee_id, token_version=version)
