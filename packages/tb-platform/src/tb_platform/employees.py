"""Talking to the employee service over HTTP: its settings, one shared client, a service token.

Services that refer to employees by soft id (``assigned_employee_id``, ``employee_id``) do not ask
the employee service on every request: they keep a projection of the employees
(:mod:`tb_platform.employee_directory`), filled from its events, and only fall back on this client
for an id the projection has not heard of yet, or to fill it (``<service> sync-employees``).

One :class:`EmployeeServiceClient` per process (it pools its connections); it asks with the
caller's token when given one, else with a short-lived service token signed with JWT_SECRET
(``sub`` ``system:<service>``, role ``admin``). Anything that is not a clear answer is
:class:`EmployeeServiceUnavailable` (503 ``employee_service_unavailable``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from .errors import ServiceUnavailable
from .security import TokenService
from .settings import ServiceSettings

logger = logging.getLogger(__name__)

EMPLOYEES_PATH = "api/v1/employees"
# The employee service's batch look-up takes at most this many ids per call.
MAX_IDS_PER_CALL = 500
TERMINATED = "terminated"


class EmployeeServiceSettings(ServiceSettings):
    """Settings of a service that looks employees up in the employee service."""

    employee_service_url: str = "http://127.0.0.1:8001"
    employee_service_timeout_seconds: float = Field(default=5.0, gt=0, le=60)


class EmployeeServiceUnavailable(ServiceUnavailable):
    """The employee service could not be asked, or gave no usable answer (503)."""

    code = "employee_service_unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(f"{detail}; nothing was changed. Try again later.")


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    """An employee as other services need to know them, and the time that state is from.

    ``as_of`` orders states of one employee: an event's time, or the employee's ``updated_at``
    in an answer of the employee service.
    """

    id: int
    first_name: str
    last_name: str
    email: str
    status: str
    department_id: int | None
    as_of: datetime

    @property
    def is_current(self) -> bool:
        """Still works here (active or on leave): may hold assets, be named on invoices."""
        return self.status != TERMINATED


class _Employee(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    first_name: str
    last_name: str
    email: str
    status: str
    department_id: int | None = None
    updated_at: AwareDatetime

    def record(self) -> EmployeeRecord:
        return EmployeeRecord(
            id=self.id,
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            status=self.status,
            department_id=self.department_id,
            as_of=self.updated_at,
        )


class _Page(BaseModel):
    model_config = ConfigDict(extra="ignore")

    items: list[_Employee]
    next_cursor: str | None = None


class EmployeeServiceClient:
    """The one HTTP client of a process for the employee service; close it on shutdown.

    ``transport`` replaces the network (tests pass an ``httpx.ASGITransport`` of an app).
    Connection failures are retried twice; the timeout is EMPLOYEE_SERVICE_TIMEOUT_SECONDS.
    """

    def __init__(
        self,
        settings: EmployeeServiceSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.base_url = settings.employee_service_url.rstrip("/") + "/"
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=settings.employee_service_timeout_seconds,
            transport=transport or httpx.AsyncHTTPTransport(retries=2),
        )
        self._tokens = TokenService(settings)
        self._token: tuple[str, float] | None = None

    def service_token(self) -> str:
        """This service's own token (role ``admin``), renewed at half its lifetime."""
        now = time.monotonic()
        if self._token is None or now >= self._token[1]:
            token = self._tokens.issue(
                user_id=f"system:{self.settings.service_name}",
                employee_id=None,
                email=f"{self.settings.service_name}@system.tb-erp.invalid",
                roles=["admin"],
            )
            self._token = (token, now + self._tokens.ttl_seconds / 2)
        return self._token[0]

    async def by_ids(self, ids: Iterable[int], *, token: str | None = None) -> list[EmployeeRecord]:
        """The employees of ``ids`` the employee service knows (unknown ids are left out)."""
        wanted = sorted(set(ids))
        found: list[EmployeeRecord] = []
        for start in range(0, len(wanted), MAX_IDS_PER_CALL):
            chunk = wanted[start : start + MAX_IDS_PER_CALL]
            page = await self._get({"ids": ",".join(map(str, chunk))}, token)
            asked = set(chunk)
            found += [item.record() for item in page.items if item.id in asked]
        return found

    async def pages(
        self, *, token: str | None = None, page_size: int = 200, status: str | None = None
    ) -> AsyncIterator[list[EmployeeRecord]]:
        """Every employee (terminated ones too, unless ``status`` narrows it), page by page in
        id order, following the list's ``next_cursor``."""
        params: dict[str, Any] = {"limit": page_size, "sort": "id"}
        if status is not None:
            params["status"] = status
        while True:
            page = await self._get(params, token)
            yield [item.record() for item in page.items]
            if page.next_cursor is None:
                return
            params = {**params, "cursor": page.next_cursor}

    async def _get(self, params: Mapping[str, Any], token: str | None) -> _Page:
        headers = {"Authorization": f"Bearer {token or self.service_token()}"}
        try:
            response = await self._http.get(EMPLOYEES_PATH, params=params, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("employee service unreachable at %s: %r", self.base_url, exc)
            raise EmployeeServiceUnavailable("The employee service cannot be reached") from exc
        if response.status_code != 200:
            logger.warning("employee service answered %s: %s", response.status_code, response.text)
            raise EmployeeServiceUnavailable(
                f"The employee service answered {response.status_code}"
            )
        try:
            return _Page.model_validate_json(response.content)
        except ValidationError as exc:
            raise EmployeeServiceUnavailable(
                "The employee service gave an unreadable answer"
            ) from exc

    async def aclose(self) -> None:
        """Close the pooled connections (on shutdown)."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


async def employee_ids_by_email(settings: EmployeeServiceSettings) -> dict[str, int]:
    """Active employees by email, asked with this service's own token.

    For demo seeding only; empty when the employee service cannot be reached, so that a seed
    still runs without it.
    """
    try:
        async with EmployeeServiceClient(settings) as client:
            return {
                employee.email: employee.id
                async for page in client.pages(status="active")
                for employee in page
            }
    except EmployeeServiceUnavailable as exc:
        logger.warning("employee service not reachable (%s): demo data stays unassigned", exc)
        return {}
