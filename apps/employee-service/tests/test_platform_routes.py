"""Health, readiness, the OpenAPI description and the error shape of unknown routes."""

import httpx


async def test_health_and_ready_need_no_token(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "service": "employee-service"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_openapi_describes_every_endpoint(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in [
        "/api/v1/auth/login",
        "/api/v1/employees",
        "/api/v1/employees/me",
        "/api/v1/employees/{employee_id}",
        "/api/v1/employees/{employee_id}/roles",
        "/api/v1/departments",
        "/api/v1/departments/{department_id}",
        "/api/v1/departments/{department_id}/employees",
        "/api/v1/attendance",
        "/api/v1/attendance/check-in",
        "/api/v1/attendance/check-out",
        "/api/v1/attendance/summary",
        "/api/v1/events/dead",
        "/api/v1/events/dead/{dead_letter_id}/replay",
    ]:
        assert path in paths, path
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()
    assert (await client.get("/docs")).status_code == 200


async def test_unknown_route_and_method_use_the_error_shape(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    missing = await client.get("/api/v1/nothing-here", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong_method = await client.put("/api/v1/employees", headers=admin)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"


async def test_malformed_json_is_422(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/employees",
        content=b"{not json",
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
