"""What the asset service asks the employee service: does this employee exist and still work here?

The call goes to the employee service's batch endpoint with the caller's own token, so the
employee service applies its own access rules. Connection errors are retried twice by the
transport; anything else that is not a clear answer is a 503 before anything is written.
"""

from __future__ import annotations

import logging

import httpx

from tb_platform.errors import InvalidField, ServiceUnavailable

logger = logging.getLogger(__name__)


async def require_active_employee(
    *, base_url: str, token: str, employee_id: int, timeout_seconds: float
) -> None:
    """Return when ``employee_id`` is a current employee; 422 when unknown or terminated."""
    url = f"{base_url.rstrip('/')}/api/v1/employees"
    transport = httpx.AsyncHTTPTransport(retries=2)
    try:
        async with httpx.AsyncClient(transport=transport, timeout=timeout_seconds) as client:
            response = await client.get(
                url,
                params={"ids": str(employee_id)},
                headers={"Authorization": f"Bearer {token}"},
            )
    except httpx.HTTPError as exc:
        logger.warning("employee service unreachable at %s: %s", url, exc)
        raise ServiceUnavailable(
            "The employee service cannot be reached, so the employee cannot be checked; "
            "nothing was changed. Try again later.",
            code="employee_service_unavailable",
        ) from exc
    if response.status_code != 200:
        logger.warning("employee service answered %s: %s", response.status_code, response.text)
        raise ServiceUnavailable(
            f"The employee service answered {response.status_code} while checking the "
            "employee; nothing was changed.",
            code="employee_service_unavailable",
        )
    try:
        items = response.json()["items"]
        match = next((item for item in items if item.get("id") == employee_id), None)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ServiceUnavailable(
            "The employee service gave an unreadable answer; nothing was changed.",
            code="employee_service_unavailable",
        ) from exc
    if match is None:
        raise InvalidField("employee_id", f"Employee {employee_id} does not exist")
    if match.get("status") == "terminated":
        raise InvalidField("employee_id", f"Employee {employee_id} has left the company")
