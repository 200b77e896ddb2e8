import { afterEach, describe, expect, it, vi } from "vitest";
import { POST as bulk } from "@/app/api/employees/bulk/route";
import { GET as getEmployee, DELETE as terminate } from "@/app/api/employees/[id]/route";
import { GET as listEmployees, POST as createEmployee } from "@/app/api/employees/route";
import { ASSET, EMPLOYEE, employee, fakeServices, page } from "./support/fake-services";
import { appRequest, sessionCookieHeader } from "./support/session";

/** An HR manager's request (from another origin when `origin` says so). */
async function request(path: string, init: { method?: string; body?: unknown; origin?: string } = {}) {
  const cookie = await sessionCookieHeader({ roles: ["hr_manager", "employee"] });
  return appRequest(path, { ...init, headers: { cookie, ...(init.origin ? { origin: init.origin } : {}) } });
}

const params = (id: string) => ({ params: Promise.resolve({ id }) });

describe("POST /api/employees/bulk", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("passes a 409 bulk_rejected through with every row's result", async () => {
    const rejection = {
      detail: "1 of 2 employees cannot be terminated; nothing was changed",
      code: "bulk_rejected",
      succeeded: 0,
      failed: 1,
      results: [
        { id: 5, ok: true, item: null },
        { id: 2, ok: false, status: 409, code: "self_termination", detail: "You cannot terminate your own employment record" },
      ],
    };
    const services = fakeServices({ [`POST ${EMPLOYEE}/api/v1/employees/bulk`]: { status: 409, json: rejection } });
    vi.stubGlobal("fetch", services.fetch);

    const response = await bulk(await request("/api/employees/bulk", { method: "POST", body: { action: "terminate", ids: [5, 2] } }));

    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(rejection);
    const [call] = services.calls;
    expect(JSON.parse(call?.body ?? "null")).toEqual({ action: "terminate", ids: [5, 2] });
    expect(call?.headers.get("authorization")).toBe("Bearer the-users-service-token");
  });

  it("answers the service's 200 with the rows done", async () => {
    const done = {
      action: "set_department",
      succeeded: 1,
      failed: 0,
      results: [{ id: 5, ok: true, item: { ...employee(5, "Eli", "Walker"), department_id: 3 } }],
    };
    vi.stubGlobal("fetch", fakeServices({ [`POST ${EMPLOYEE}/api/v1/employees/bulk`]: { json: done } }).fetch);
    const response = await bulk(
      await request("/api/employees/bulk", { method: "POST", body: { action: "set_department", ids: [5], department_id: 3 } }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ succeeded: 1, results: [{ id: 5, ok: true }] });
  });

  it("keeps a 409 without per-row results as the service's {detail, code}", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServices({ [`POST ${EMPLOYEE}/api/v1/employees/bulk`]: { status: 409, json: { detail: "Busy", code: "conflict" } } }).fetch,
    );
    const response = await bulk(await request("/api/employees/bulk", { method: "POST", body: { action: "terminate", ids: [1] } }));
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ detail: "Busy", code: "conflict" });
  });

  it("refuses a bad body (422, no service call) and a request from another origin (403)", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const bad = await bulk(await request("/api/employees/bulk", { method: "POST", body: { action: "set_department", ids: [] } }));
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { detail: { field: string }[] };
    expect(body.detail.map((issue) => issue.field).sort()).toEqual(["department_id", "ids"]);

    const forged = await bulk(
      await request("/api/employees/bulk", { method: "POST", body: { action: "terminate", ids: [1] }, origin: "https://evil.example" }),
    );
    expect(forged.status).toBe(403);
    expect(services.calls).toHaveLength(0);
  });
});

describe("the other employee routes", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("GET /api/employees/{id} passes the employee's 404 through and answers partially without the asset service", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`GET ${EMPLOYEE}/api/v1/employees/999`]: { status: 404, json: { detail: "Employee 999 not found", code: "not_found" } },
        [`GET ${ASSET}/api/v1/assets`]: { json: page([]) },
      }).fetch,
    );
    const missing = await getEmployee(await request("/api/employees/999"), params("999"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Employee 999 not found", code: "not_found" });

    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`GET ${EMPLOYEE}/api/v1/employees/5`]: { json: { ...employee(5, "Eli", "Walker"), department_id: null } },
        [`GET ${ASSET}/api/v1/assets`]: { networkError: "ECONNREFUSED" },
      }).fetch,
    );
    const partial = await getEmployee(await request("/api/employees/5"), params("5"));
    expect(partial.status).toBe(200);
    expect(await partial.json()).toMatchObject({ assets: null, partial: true, unavailable: ["asset"] });

    const bad = await getEmployee(await request("/api/employees/abc"), params("abc"));
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ code: "validation_error", detail: [{ loc: ["path", "id"] }] });
  });

  it("GET /api/employees hands the new filters to the service and refuses unknown ones", async () => {
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees`]: { json: page([employee(5, "Eli", "Walker")]) },
      [`GET ${EMPLOYEE}/api/v1/departments`]: { json: page([]) },
    });
    vi.stubGlobal("fetch", services.fetch);
    const ok = await listEmployees(
      await request("/api/employees?email=tb-erp&role=hr_manager&hired_from=2024-01-01&hired_to=2024-12-31&sort=-hire_date"),
    );
    expect(ok.status).toBe(200);
    const [call] = services.callsTo(`GET ${EMPLOYEE}/api/v1/employees`);
    expect(Object.fromEntries(call?.url.searchParams ?? [])).toEqual({
      email: "tb-erp",
      role: "hr_manager",
      hired_from: "2024-01-01",
      hired_to: "2024-12-31",
      sort: "-hire_date",
      limit: "20",
      offset: "0",
    });
    const unknown = await listEmployees(await request("/api/employees?colour=red"));
    expect(unknown.status).toBe(422);
  });

  it("POST /api/employees passes the service's 409 (email taken) and DELETE answers 204", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`POST ${EMPLOYEE}/api/v1/employees`]: {
          status: 409,
          json: { detail: "An employee with email a@b.example already exists", code: "email_taken" },
        },
        [`DELETE ${EMPLOYEE}/api/v1/employees/5`]: { status: 204, text: "" },
      }).fetch,
    );
    const taken = await createEmployee(
      await request("/api/employees", { method: "POST", body: { first_name: "A", last_name: "B", email: "a@b.example" } }),
    );
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ code: "email_taken" });

    const gone = await terminate(await request("/api/employees/5", { method: "DELETE" }), params("5"));
    expect(gone.status).toBe(204);
  });
});
