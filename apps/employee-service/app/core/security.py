"""Password hashing (Argon2id, argon2-cffi) off the event loop."""

from functools import lru_cache
from typing import Annotated

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from .config import EmployeeSettings


class Passwords:
    """Hash and verify passwords; the work runs in a thread so the event loop keeps serving."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        # Verified against when the email is unknown, so that both failures take the same time.
        self._dummy_hash = hasher.hash("timing-equaliser")

    async def hash(self, password: str) -> str:
        return await run_in_threadpool(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return (
                await run_in_threadpool(
                    self._hasher.verify, password_hash or self._dummy_hash, password
                )
                and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=4)
def _passwords(time_cost: int, memory_cost: int, parallelism: int) -> Passwords:
    return Passwords(
        PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
        )
    )


def passwords_for(settings: EmployeeSettings) -> Passwords:
    return _passwords(
        settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism
    )


async def _passwords_dep(request: Request) -> Passwords:
    return passwords_for(request.app.state.settings)


PasswordsDep = Annotated[Passwords, Depends(_passwords_dep)]
