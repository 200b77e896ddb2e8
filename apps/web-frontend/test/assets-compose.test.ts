import { describe, expect, it } from "vitest";
import { assetDetail, detailEmployeeIds, employeeOptions } from "@/lib/compose/assets";
import { ServiceHttpError } from "@/lib/services/errors";
import { ASSET, EMPLOYEE, asset, employee, employeesByIds, fakeServices, page } from "./support/fake-services";

const TOKEN = "service-token-of-the-user";
const emma = employee(5, "Emma", "Employee");
const arthur = employee(3, "Arthur", "Stone");
const helen = employee(2, "Helen", "Hughes");

function assignment(id: number, employee_id: number, returned = true) {
  return {
    id,
    asset_id: 7,
    employee_id,
    assigned_at: "2026-01-01T09:00:00Z",
    returned_at: returned ? "2026-02-01T09:00:00Z" : null,
    assigned_by: "assets@tb-erp.example",
    returned_by: returned ? "assets@tb-erp.example" : null,
    return_reason: returned ? "replaced" : null,
    notes: null,
  };
}

const schedule = {
  asset_id: 7,
  method: "straight_line",
  currency: "EUR",
  items: [
    {
      period: "2025-02",
      period_start: "2025-02-03",
      period_end: "2025-02-28",
      depreciation_amount: "37.00",
      accumulated_depreciation: "37.00",
      book_value: "1443.00",
    },
  ],
  total: 1,
};

const category = {
  id: 1,
  name: "Laptops",
  code: "LAP",
  default_useful_life_months: 36,
  default_depreciation_method: "straight_line",
  default_salvage_percent: "10.00",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

function detailRoutes(employees: Parameters<typeof fakeServices>[0][string]) {
  return fakeServices({
    [`GET ${ASSET}/api/v1/assets/7`]: { json: asset({ id: 7, assigned_employee_id: 5, disposal_date: null, disposal_proceeds: null, disposal_reason: null, book_value_at_disposal: null, gain_loss: null }) },
    [`GET ${ASSET}/api/v1/assets/7/history`]: {
      json: page([assignment(4, 5, false), assignment(3, 3), assignment(2, 5), assignment(1, 2)]),
    },
    [`GET ${ASSET}/api/v1/assets/7/maintenance`]: { json: page([]) },
    [`GET ${ASSET}/api/v1/assets/7/depreciation`]: { json: schedule },
    [`GET ${ASSET}/api/v1/categories/1`]: { json: category },
    [`GET ${EMPLOYEE}/api/v1/employees`]: employees,
  });
}

describe("asset detail composition (assetDetail)", () => {
  it("names the holder and every employee of the history with ONE employee call, each id once", async () => {
    const services = detailRoutes(employeesByIds([emma, arthur, helen]));

    const view = await assetDetail(7, { token: TOKEN, fetch: services.fetch });

    const employeeCalls = services.callsTo(`GET ${EMPLOYEE}`);
    expect(employeeCalls).toHaveLength(1);
    expect(employeeCalls[0]?.url.searchParams.get("ids")).toBe("2,3,5");
    expect(view.asset.assigned_employee).toEqual({ id: 5, name: "Emma Employee", unavailable: false });
    expect(view.history.items.map((row) => row.employee.name)).toEqual([
      "Emma Employee",
      "Arthur Stone",
      "Emma Employee",
      "Helen Hughes",
    ]);
    expect(view.category?.name).toBe("Laptops");
    expect(view.schedule.items).toHaveLength(1);
    expect(view).toMatchObject({ partial: false, unavailable: [] });
    for (const call of services.calls) expect(call.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("asks the asset service's parts in parallel: all four are asked before any answers", async () => {
    const started: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = (name: string, json: unknown) => async () => {
      started.push(name);
      if (started.length === 4) release();
      await gate;
      return { json };
    };
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets/7`]: slow("asset", asset({ id: 7, disposal_date: null, disposal_proceeds: null, disposal_reason: null, book_value_at_disposal: null, gain_loss: null })),
      [`GET ${ASSET}/api/v1/assets/7/history`]: slow("history", page([])),
      [`GET ${ASSET}/api/v1/assets/7/maintenance`]: slow("maintenance", page([])),
      [`GET ${ASSET}/api/v1/assets/7/depreciation`]: slow("depreciation", schedule),
      [`GET ${ASSET}/api/v1/categories/1`]: { json: category },
    });

    const view = await assetDetail(7, { token: TOKEN, fetch: services.fetch });

    expect(started.sort()).toEqual(["asset", "depreciation", "history", "maintenance"]);
    // Nobody to name: the employee service is not asked at all.
    expect(services.callsTo(`GET ${EMPLOYEE}`)).toHaveLength(0);
    expect(view.asset.assigned_employee).toBeNull();
  });

  it("is partial, not failed, when the employee service is down: ids kept, names empty", async () => {
    const services = detailRoutes({ networkError: "ECONNREFUSED" });

    const view = await assetDetail(7, { token: TOKEN, fetch: services.fetch });

    expect(view.asset.assigned_employee).toEqual({ id: 5, name: null, unavailable: true });
    expect(view.history.items.map((row) => row.employee)).toContainEqual({ id: 2, name: null, unavailable: true });
    expect(view).toMatchObject({ partial: true, unavailable: ["employee"] });
  });

  it("passes the asset service's 404 through, and a 401 of the employee service goes up", async () => {
    const missing = fakeServices({
      [`GET ${ASSET}/api/v1/assets/8`]: { status: 404, json: { detail: "Asset 8 not found", code: "not_found" } },
      [`GET ${ASSET}/api/v1/assets/8/history`]: { status: 404, json: { detail: "Asset 8 not found", code: "not_found" } },
      [`GET ${ASSET}/api/v1/assets/8/maintenance`]: { status: 404, json: { detail: "Asset 8 not found", code: "not_found" } },
      [`GET ${ASSET}/api/v1/assets/8/depreciation`]: { status: 404, json: { detail: "Asset 8 not found", code: "not_found" } },
    });
    const error = await assetDetail(8, { token: TOKEN, fetch: missing.fetch }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceHttpError);
    expect(error).toMatchObject({ status: 404, body: { code: "not_found" } });

    const expired = detailRoutes({ status: 401, json: { detail: "Token expired", code: "token_expired" } });
    await expect(assetDetail(7, { token: TOKEN, fetch: expired.fetch })).rejects.toMatchObject({ status: 401 });
  });

  it("collects the holder and the history's employees once each, in ascending order", () => {
    expect(detailEmployeeIds({ assigned_employee_id: 9 }, [assignment(1, 4), assignment(2, 9), assignment(3, 4)])).toEqual([4, 9]);
    expect(detailEmployeeIds({ assigned_employee_id: null }, [])).toEqual([]);
  });
});

describe("employee options (the assign pickers)", () => {
  it("asks the employee service's list with q and limit 10 and answers id, name, email, title, status", async () => {
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees`]: { json: page([emma, arthur]) },
    });
    const options = await employeeOptions("em", { token: TOKEN, fetch: services.fetch });
    const [call] = services.calls;
    expect(call?.url.searchParams.get("q")).toBe("em");
    expect(call?.url.searchParams.get("limit")).toBe("10");
    expect(options).toEqual([
      { id: 5, name: "Emma Employee", email: "emma@tb-erp.example", job_title: null, status: "active" },
      { id: 3, name: "Arthur Stone", email: "arthur@tb-erp.example", job_title: null, status: "active" },
    ]);
  });
});
