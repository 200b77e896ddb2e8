import { describe, expect, it } from "vitest";
import { listAssetsWithOwners, ownerIds } from "@/lib/compose/assets";
import { dashboardAssetsWithOwners } from "@/lib/compose/dashboard";
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
const emma = employee(5, "Emma", "Employee");
const arthur = employee(3, "Arthur", "Stone");

const summary = {
  assets: { count: 3, by_status: { assigned: 2, in_stock: 1 }, by_category: [], totals: [] },
  headcount: { total: 2, by_department: [] },
  invoices: { by_month: [] },
  updated_at: "2026-11-30T06:27:06Z",
};

describe("GET /api/assets composition (listAssetsWithOwners)", () => {
  it("asks the employee service once per page, for each owner once, and names every owner", async () => {
    const assets = [
      asset({ assigned_employee_id: 5 }),
      asset({ assigned_employee_id: 3 }),
      asset({ assigned_employee_id: 5 }),
      asset({ assigned_employee_id: null }),
      asset({ assigned_employee_id: 3 }),
    ];
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { json: page(assets, { total: 57 }) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([emma, arthur]),
    });

    const answer = await listAssetsWithOwners({ limit: 5, offset: 0 }, { token: TOKEN, fetch: services.fetch });

    const employeeCalls = services.callsTo(`GET ${EMPLOYEE}`);
    expect(employeeCalls).toHaveLength(1);
    expect(employeeCalls[0]?.url.searchParams.get("ids")).toBe("3,5");
    expect(answer.items.map((item) => item.assigned_employee)).toEqual([
      { id: 5, name: "Emma Employee", unavailable: false },
      { id: 3, name: "Arthur Stone", unavailable: false },
      { id: 5, name: "Emma Employee", unavailable: false },
      null,
      { id: 3, name: "Arthur Stone", unavailable: false },
    ]);
    expect(answer).toMatchObject({ total: 57, partial: false, unavailable: [] });
  });

  it("passes the filters and paging to the asset service and the user's token to both", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { json: page([asset({ assigned_employee_id: 5 })]) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([emma]),
    });

    await listAssetsWithOwners(
      { q: "laptop", status: "assigned", sort: "-purchase_date", limit: 20, offset: 40 },
      { token: TOKEN, fetch: services.fetch },
    );

    const [assetCall] = services.callsTo(`GET ${ASSET}`);
    expect(Object.fromEntries(assetCall?.url.searchParams ?? [])).toEqual({
      q: "laptop",
      status: "assigned",
      sort: "-purchase_date",
      limit: "20",
      offset: "40",
    });
    for (const call of services.calls) {
      expect(call.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    }
  });

  it("does not call the employee service when no asset on the page is assigned", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { json: page([asset(), asset()]) },
    });

    const answer = await listAssetsWithOwners({ limit: 20, offset: 0 }, { token: TOKEN, fetch: services.fetch });

    expect(services.callsTo(`GET ${EMPLOYEE}`)).toHaveLength(0);
    expect(answer.partial).toBe(false);
  });

  it("still answers the assets when the employee service is down, owners marked unavailable", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: {
        json: page([asset({ assigned_employee_id: 5 }), asset({ assigned_employee_id: null })]),
      },
      [`GET ${EMPLOYEE}/api/v1/employees`]: { networkError: "ECONNREFUSED" },
    });

    const answer = await listAssetsWithOwners({ limit: 20, offset: 0 }, { token: TOKEN, fetch: services.fetch });

    expect(answer.items).toHaveLength(2);
    expect(answer.items[0]?.assigned_employee).toEqual({ id: 5, name: null, unavailable: true });
    expect(answer.items[1]?.assigned_employee).toBeNull();
    expect(answer).toMatchObject({ partial: true, unavailable: ["employee"] });
  });

  it("is partial too when the employee service fails (5xx) or answers outside its contract", async () => {
    for (const failure of [{ status: 503, json: { detail: "down", code: "x" } }, { json: { items: "nope" } }]) {
      const services = fakeServices({
        [`GET ${ASSET}/api/v1/assets`]: { json: page([asset({ assigned_employee_id: 5 })]) },
        [`GET ${EMPLOYEE}/api/v1/employees`]: failure,
      });
      const answer = await listAssetsWithOwners({ limit: 20, offset: 0 }, { token: TOKEN, fetch: services.fetch });
      expect(answer.partial).toBe(true);
      expect(answer.items[0]?.assigned_employee).toEqual({ id: 5, name: null, unavailable: true });
    }
  });

  it("leaves the name empty, without calling the answer partial, for an owner the service does not return", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { json: page([asset({ assigned_employee_id: 99 })]) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([emma]),
    });

    const answer = await listAssetsWithOwners({ limit: 20, offset: 0 }, { token: TOKEN, fetch: services.fetch });

    expect(answer.items[0]?.assigned_employee).toEqual({ id: 99, name: null, unavailable: false });
    expect(answer.partial).toBe(false);
  });

  it("passes the asset service's 4xx through with its {detail, code}", async () => {
    const detail = [{ loc: ["query", "stauts"], field: "stauts", msg: "Unknown query parameter", type: "extra_forbidden" }];
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { status: 422, json: { detail, code: "validation_error" } },
    });

    const failure = await listAssetsWithOwners({ limit: 20, offset: 0 }, { token: TOKEN, fetch: services.fetch }).catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(ServiceHttpError);
    expect(failure).toMatchObject({ service: "asset", status: 422, body: { detail, code: "validation_error" } });
    expect(services.callsTo(`GET ${EMPLOYEE}`)).toHaveLength(0);
  });

  it("passes a 403 of the asset service through, and fails when the asset service is down", async () => {
    const forbidden = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: {
        status: 403,
        json: { detail: "Your roles do not allow you to read assets", code: "forbidden" },
      },
    });
    await expect(
      listAssetsWithOwners({ limit: 20, offset: 0 }, { token: TOKEN, fetch: forbidden.fetch }),
    ).rejects.toMatchObject({ status: 403, body: { code: "forbidden" } });

    const down = fakeServices({ [`GET ${ASSET}/api/v1/assets`]: { networkError: "ECONNREFUSED" } });
    await expect(
      listAssetsWithOwners({ limit: 20, offset: 0 }, { token: TOKEN, fetch: down.fetch }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it("lets a 401 of the employee service go up: the user's token is no longer valid", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { json: page([asset({ assigned_employee_id: 5 })]) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: { status: 401, json: { detail: "Token expired", code: "token_expired" } },
    });
    await expect(
      listAssetsWithOwners({ limit: 20, offset: 0 }, { token: TOKEN, fetch: services.fetch }),
    ).rejects.toMatchObject({ status: 401, body: { code: "token_expired" } });
  });

  it("collects distinct owner ids in ascending order", () => {
    const ids = ownerIds([
      asset({ assigned_employee_id: 9 }),
      asset({ assigned_employee_id: 2 }),
      asset({ assigned_employee_id: 9 }),
      asset(),
    ] as never);
    expect(ids).toEqual([2, 9]);
  });
});

describe("GET /api/dashboard/assets-with-owners composition", () => {
  it("asks the dashboard and the asset service in parallel, then the employee service once", async () => {
    const started: string[] = [];
    let releaseSummary: () => void = () => undefined;
    const summaryGate = new Promise<void>((resolve) => {
      releaseSummary = resolve;
    });
    const services = fakeServices({
      [`GET ${DASHBOARD}/api/v1/dashboard/summary`]: async () => {
        started.push("dashboard");
        await summaryGate;
        return { json: summary };
      },
      [`GET ${ASSET}/api/v1/assets`]: () => {
        started.push("asset");
        // The asset call started while the dashboard's is still pending: they run in parallel.
        releaseSummary();
        return { json: page([asset({ assigned_employee_id: 5 }), asset({ assigned_employee_id: 5 })]) };
      },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([emma]),
    });

    const answer = await dashboardAssetsWithOwners({ token: TOKEN, fetch: services.fetch }, { limit: 5 });

    expect(started).toEqual(["dashboard", "asset"]);
    expect(services.callsTo(`GET ${EMPLOYEE}`)).toHaveLength(1);
    const [assetCall] = services.callsTo(`GET ${ASSET}`);
    expect(assetCall?.url.searchParams.get("status")).toBe("assigned");
    expect(assetCall?.url.searchParams.get("limit")).toBe("5");
    expect(answer.summary?.assets.count).toBe(3);
    expect(answer.assigned.items.map((item) => item.assigned_employee?.name)).toEqual([
      "Emma Employee",
      "Emma Employee",
    ]);
    expect(answer).toMatchObject({ partial: false, unavailable: [] });
  });

  it("answers partially when the dashboard service or the employee service is down", async () => {
    const services = fakeServices({
      [`GET ${DASHBOARD}/api/v1/dashboard/summary`]: { networkError: "ECONNREFUSED" },
      [`GET ${ASSET}/api/v1/assets`]: { json: page([asset({ assigned_employee_id: 5 })]) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: { status: 502, text: "Bad gateway" },
    });

    const answer = await dashboardAssetsWithOwners({ token: TOKEN, fetch: services.fetch });

    expect(answer.summary).toBeNull();
    expect(answer.assigned.items[0]?.assigned_employee).toEqual({ id: 5, name: null, unavailable: true });
    expect(answer).toMatchObject({ partial: true, unavailable: ["employee", "dashboard"] });
  });

  it("passes the dashboard's 403 through (the employee role may not read it)", async () => {
    const services = fakeServices({
      [`GET ${DASHBOARD}/api/v1/dashboard/summary`]: {
        status: 403,
        json: { detail: "Your roles do not allow you to read dashboard", code: "forbidden" },
      },
      [`GET ${ASSET}/api/v1/assets`]: { json: page([]) },
    });
    await expect(dashboardAssetsWithOwners({ token: TOKEN, fetch: services.fetch })).rejects.toMatchObject({
      service: "dashboard",
      status: 403,
      body: { code: "forbidden" },
    });
  });
});
