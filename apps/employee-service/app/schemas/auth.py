from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from tb_platform.schemas import InputModel


class LoginRequest(InputModel):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class LoginUser(BaseModel):
    id: int = Field(description="The user's id (an integer, like every id of the API)")
    employee_id: int | None
    email: str
    roles: list[str]


class LoginResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int
    user: LoginUser


class TokenVersionPublic(BaseModel):
    employee_id: int
    token_version: int = Field(
        description="The employee's current token version: tokens whose ``ver`` is lower are revoked"
    )
