"""What other services ask the employee service: does this employee exist and still work here?

Services that refer to employees by soft id (``assigned_employee_id``, ``employee_id``) subclass
:class:`EmployeeServiceSettings` and call :func:`require_active_employee` with the caller's own
token, so the employee service applies its own access rules. Connection errors are retried twice
by the transport; anything that is not a clear answer is a 503, raised before anything is written.
"""

from __future__ import annotations

import logging

import httpx
from pydantic import Field

from .errors import InvalidField, ServiceUnavailable
from .security import TokenService
from .settings import ServiceSettings

logger = logging.getLogger(__name__)
BATCH_PATH = "/api/v1/employees"


class EmployeeServiceSettings(ServiceSettings):
    """Settings of a service that looks employees up in the employee service."""

    employee_service_url: str = "http://127.0.0.1:8001"
    employee_service_timeout_seconds: float = Field(default=5.0, gt=0, le=60)


def _unavailable(detail: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"{detail}; nothing was changed. Try again later.", code="employee_service_unavailable"
    )


async def require_active_employee(
    settings: EmployeeServiceSettings, *, token: str, employee_id: int, field: str = "employee_id"
) -> None:
    """Return when ``employee_id`` is a current employee; 422 on ``field`` when unknown or gone."""
    url = settings.employee_service_url.rstrip("/") + BATCH_PATH
    transport = httpx.AsyncHTTPTransport(retries=2)
    try:
        async with httpx.AsyncClient(
            transport=transport, timeout=settings.employee_service_timeout_seconds
        ) as client:
            response = await client.get(
                url, params={"ids": str(employee_id)}, headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError as exc:
        logger.warning("employee service unreachable at %s: %r", url, exc)
        raise _unavailable("The employee service cannot be reached to check the employee") from exc
    if response.status_code != 200:
        logger.warning("employee service answered %s: %s", response.status_code, response.text)
        raise _unavailable(
            f"The employee service answered {response.status_code} while checking the employee"
        )
    try:
        items = response.json()["items"]
        match = next((item for item in items if item.get("id") == employee_id), None)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _unavailable("The employee service gave an unreadable answer") from exc
    if match is None:
        raise InvalidField(field, f"Employee {employee_id} does not exist")
    if match.get("status") == "terminated":
        raise InvalidField(field, f"Employee {employee_id} has left the company")


async def employee_ids_by_email(settings: EmployeeServiceSettings) -> dict[str, int]:
    """Active employees by email, asked with a short-lived admin token signed by this service.

    For demo seeding only (it reads at most 200 employees); empty when the employee service
    cannot be reached, so that a seed still runs without it.
    """
    token = TokenService(settings).issue(
        user_id=f"{settings.service_name}-seed",
        employee_id=None,
        email="seed@tb-erp.example",
        roles=["admin"],
    )
    url = settings.employee_service_url.rstrip("/") + BATCH_PATH
    try:
        async with httpx.AsyncClient(timeout=settings.employee_service_timeout_seconds) as client:
            response = await client.get(
                url,
                params={"status": "active", "limit": 200},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
        return {item["email"]: item["id"] for item in response.json()["items"]}
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        logger.warning("employee service not reachable (%r): demo data stays unassigned", exc)
        return {}
