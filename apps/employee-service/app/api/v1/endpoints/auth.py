from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tb_platform.errors import error_body

from ....core.config import SettingsDep
from ....core.security import PasswordsDep
from ....schemas.auth import LoginRequest, LoginResponse, LoginUser
from ....services.auth import authenticate
from ...deps import UnitOfWorkDep

router = APIRouter(prefix="/auth", tags=["auth"])

INVALID_CREDENTIALS = "Invalid email or password"


@router.post(
    "/login",
    response_model=LoginResponse,
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
    result = await authenticate(
        uow,
        email=body.email,
        password=body.password,
        settings=settings,
        passwords=passwords,
        tokens=request.app.state.tokens,
    )
    if result is None:
        # Answered, not raised: the unit of work must commit the recorded failure.
        return JSONResponse(
            error_body(INVALID_CREDENTIALS, "invalid_credentials"),
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    employee = result.employee
    assert employee.id is not None
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
