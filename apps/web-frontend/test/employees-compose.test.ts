import { describe, expect, it } from "vitest";
import {
  attendanceOverview,
  departmentsWithHeadcounts,
  employeeWithAssets,
  listEmployeesWithDepartments,
} from "@/lib/compose/employees";
import { ServiceHttpError, ServiceUnavailableError } from "@/lib/services/errors";
import {
  ASSET,
  DASHBOARD,
  EMPLOYEE,
  asset,
  employee,
  employeesByIds,
  fakeServices,
  page,
} from "./support/fake-services";

const TOKEN = "service-token-of-the-user";
const context = (fetch: typeof globalThis.fetch) => ({ token: TOKEN, fetch });

function department(id: number, name: string, parent_id: number | null = null) {
  return {
    id,
    name,
    code: null,
    parent_id,
    manager_id: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

const eli = { ...employee(5, "Eli", "Walker"), department_id: 2, manager_id: 3 };
const arthur = employee(3, "Arthur", "Stone");

describe("employee → assets composition (employeeWithAssets)", () => {
  it("asks the employee and the asset service in parallel and merges the answers", async () => {
    // Each fake answers only once the other call has started too: called one after the other,
    // the first would wait in vain and answer 503 (and the test would fail).
    const started = new Set<string>();
    let bothStarted: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => {
      bothStarted = resolve;
    });
    const waitForTheOther = async (me: string) => {
      started.add(me);
      if (started.size === 2) bothStarted();
      const outcome = await Promise.race([
        barrier.then(() => "parallel"),
        new Promise((resolve) => setTimeout(() => resolve("sequential"), 500)),
      ]);
      return outcome === "parallel";
    };
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees/5`]: async () =>
        (await waitForTheOther("employee")) ? { json: eli } : { status: 503, json: { detail: "late", code: "x" } },
      [`GET ${ASSET}/api/v1/assets`]: async () =>
        (await waitForTheOther("asset"))
          ? { json: page([asset({ assigned_employee_id: 5 }), asset({ assigned_employee_id: 5 })]) }
          : { status: 503, json: { detail: "late", code: "x" } },
      [`GET ${EMPLOYEE}/api/v1/departments/2`]: { json: department(2, "IT") },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([arthur]),
    });

    const answer = await employeeWithAssets(5, context(services.fetch));

    expect([...started].sort()).toEqual(["asset", "employee"]);
    const [assetCall] = services.callsTo(`GET ${ASSET}`);
    expect(assetCall?.url.searchParams.get("assigned_employee_id")).toBe("5");
    expect(answer.employee.id).toBe(5);
    expect(answer.department).toEqual({ id: 2, name: "IT" });
    expect(answer.manager).toEqual({ id: 3, name: "Arthur Stone" });
    expect(answer.assets?.items).toHaveLength(2);
    expect(answer).toMatchObject({ partial: false, unavailable: [] });
    for (const call of services.calls) expect(call.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("still shows the employee when the asset service is down: assets null, partial", async () => {
    for (const down of [{ networkError: "ECONNREFUSED" }, { status: 503, json: { detail: "x", code: "y" } }, { json: { items: "nope" } }]) {
      const services = fakeServices({
        [`GET ${EMPLOYEE}/api/v1/employees/5`]: { json: { ...eli, department_id: null, manager_id: null } },
        [`GET ${ASSET}/api/v1/assets`]: down,
      });
      const answer = await employeeWithAssets(5, context(services.fetch));
      expect(answer.employee.first_name).toBe("Eli");
      expect(answer.assets).toBeNull();
      expect(answer).toMatchObject({ partial: true, unavailable: ["asset"], department: null, manager: null });
    }
  });

  it("passes the employee's 404 through with the service's {detail, code}", async () => {
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees/999`]: {
        status: 404,
        json: { detail: "Employee 999 not found", code: "not_found" },
      },
      [`GET ${ASSET}/api/v1/assets`]: { json: page([]) },
    });
    const failure = await employeeWithAssets(999, context(services.fetch)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceHttpError);
    expect(failure).toMatchObject({
      service: "employee",
      status: 404,
      body: { detail: "Employee 999 not found", code: "not_found" },
    });
  });

  it("fails when the employee service is down, and lets the asset service's 401 go up", async () => {
    const down = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees/5`]: { networkError: "ECONNREFUSED" },
      [`GET ${ASSET}/api/v1/assets`]: { json: page([]) },
    });
    await expect(employeeWithAssets(5, context(down.fetch))).rejects.toBeInstanceOf(ServiceUnavailableError);

    const expired = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees/5`]: { json: { ...eli, department_id: null, manager_id: null } },
      [`GET ${ASSET}/api/v1/assets`]: { status: 401, json: { detail: "Token expired", code: "token_expired" } },
    });
    await expect(employeeWithAssets(5, context(expired.fetch))).rejects.toMatchObject({ status: 401 });
  });

  it("keeps the employee when their department was deleted meanwhile (name null)", async () => {
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees/5`]: { json: { ...eli, manager_id: null } },
      [`GET ${EMPLOYEE}/api/v1/departments/2`]: { status: 404, json: { detail: "gone", code: "not_found" } },
      [`GET ${ASSET}/api/v1/assets`]: { json: page([]) },
    });
    const answer = await employeeWithAssets(5, context(services.fetch));
    expect(answer.department).toEqual({ id: 2, name: null });
  });
});

describe("the other HR compositions", () => {
  it("names each employee's department with one departments call per page", async () => {
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees`]: { json: page([eli, { ...arthur, department_id: 9 }], { total: 42 }) },
      [`GET ${EMPLOYEE}/api/v1/departments`]: { json: page([department(2, "IT"), department(1, "Management")]) },
    });
    const answer = await listEmployeesWithDepartments(
      { q: "e", status: "active", sort: "-hire_date", limit: 20, offset: 20 },
      context(services.fetch),
    );
    expect(services.callsTo(`GET ${EMPLOYEE}/api/v1/departments`)).toHaveLength(1);
    const [listCall] = services.callsTo(`GET ${EMPLOYEE}/api/v1/employees`);
    expect(Object.fromEntries(listCall?.url.searchParams ?? [])).toEqual({
      q: "e",
      status: "active",
      sort: "-hire_date",
      limit: "20",
      offset: "20",
    });
    expect(answer.total).toBe(42);
    expect(answer.items.map((row) => row.department)).toEqual([
      { id: 2, name: "IT" },
      { id: 9, name: null },
    ]);
  });

  it("gives departments their head counts, and null counts (partial) when the dashboard is down", async () => {
    const departments = { json: page([department(1, "Management"), department(2, "IT", 1)]) };
    const up = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/departments`]: departments,
      [`GET ${DASHBOARD}/api/v1/dashboard/summary`]: {
        json: {
          assets: { count: 0, by_status: {}, by_category: [], totals: [] },
          headcount: { total: 3, by_department: [{ department_id: 2, name: "IT", count: 3 }] },
          invoices: { by_month: [] },
          updated_at: null,
        },
      },
    });
    const counted = await departmentsWithHeadcounts(context(up.fetch));
    expect(counted.items.map((d) => [d.name, d.head_count])).toEqual([
      ["Management", 0],
      ["IT", 3],
    ]);
    expect(counted.partial).toBe(false);

    const down = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/departments`]: departments,
      [`GET ${DASHBOARD}/api/v1/dashboard/summary`]: { networkError: "ECONNREFUSED" },
    });
    const uncounted = await departmentsWithHeadcounts(context(down.fetch));
    expect(uncounted.items.map((d) => d.head_count)).toEqual([null, null]);
    expect(uncounted).toMatchObject({ partial: true, unavailable: ["dashboard"] });
  });

  it("names the month's summary rows with one ?ids= call", async () => {
    const row = (employee_id: number) => ({
      employee_id,
      month: "2026-11",
      days_present: 4,
      days_remote: 1,
      days_absent: 0,
      days_leave: 1,
      hours_worked: 32.5,
    });
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/attendance/summary`]: { json: { items: [row(5), row(3)], total: 2 } },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([employee(5, "Eli", "Walker"), arthur]),
    });
    const answer = await attendanceOverview({ month: "2026-11" }, context(services.fetch));
    const [idsCall] = services.callsTo(`GET ${EMPLOYEE}/api/v1/employees`);
    expect(idsCall?.url.searchParams.get("ids")).toBe("3,5");
    expect(answer.items.map((r) => r.name)).toEqual(["Arthur Stone", "Eli Walker"]);
    expect(services.callsTo(`GET ${EMPLOYEE}/api/v1/attendance/summary`)[0]?.url.searchParams.get("month")).toBe("2026-11");
  });
});
