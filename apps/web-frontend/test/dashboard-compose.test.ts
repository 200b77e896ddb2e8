import { describe, expect, it } from "vitest";
import { dashboardView } from "@/lib/compose/dashboard";
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

const INVOICE = "http://127.0.0.1:8003";
const TOKEN = "service-token-of-the-user";
const emma = employee(5, "Emma", "Employee");

const summary = {
  assets: {
    count: 3,
    by_status: { assigned: 2, in_stock: 1 },
    by_category: [{ category_id: 1, name: "Laptops", count: 3 }],
    totals: [{ currency: "EUR", cost: "4440.00", book_value: "2700.00" }],
  },
  headcount: { total: 2, by_department: [{ department_id: 5, name: "IT", count: 2 }] },
  invoices: {
    by_month: [{ month: "2026-10", currency: "EUR", invoiced: "100.00", collected: "40.00", outstanding: "60.00" }],
  },
  updated_at: "2026-11-30T06:27:06Z",
};

const aging = {
  as_of: "2026-11-30",
  items: [
    {
      currency: "EUR",
      current: "10.00",
      days_1_30: "20.00",
      days_31_60: "30.00",
      days_61_90: "0.00",
      days_90_plus: "0.00",
      total: "60.00",
    },
  ],
};

const SUMMARY_ROUTE = `GET ${DASHBOARD}/api/v1/dashboard/summary`;
const ASSETS_ROUTE = `GET ${ASSET}/api/v1/assets`;
const AGING_ROUTE = `GET ${INVOICE}/api/v1/invoices/aging`;
const EMPLOYEES_ROUTE = `GET ${EMPLOYEE}/api/v1/employees`;

describe("dashboard composition (dashboardView)", () => {
  it("asks the dashboard, asset and invoice services in parallel with the user's token", async () => {
    const started: string[] = [];
    // No answer comes back until all three calls have started: only parallel calls get there.
    let releaseAll: () => void = () => undefined;
    const allStarted = new Promise<void>((resolve) => {
      releaseAll = resolve;
    });
    const gate = (name: string, json: unknown) => async () => {
      started.push(name);
      if (started.length === 3) releaseAll();
      await allStarted;
      return { json };
    };
    const services = fakeServices({
      [SUMMARY_ROUTE]: gate("dashboard", summary),
      [ASSETS_ROUTE]: gate("asset", page([asset({ assigned_employee_id: 5 })])),
      [AGING_ROUTE]: gate("invoice", aging),
      [EMPLOYEES_ROUTE]: employeesByIds([emma]),
    });

    const answer = await dashboardView({ token: TOKEN, fetch: services.fetch }, { limit: 5 });

    expect(started.sort()).toEqual(["asset", "dashboard", "invoice"]);
    expect(services.callsTo(AGING_ROUTE)).toHaveLength(1);
    expect(services.callsTo(SUMMARY_ROUTE)).toHaveLength(1);
    expect(services.callsTo(EMPLOYEES_ROUTE)).toHaveLength(1);
    for (const call of services.calls) {
      expect(call.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    }
    expect(services.callsTo(ASSETS_ROUTE)[0]?.url.searchParams.get("limit")).toBe("5");
    expect(answer.summary?.assets.by_category).toEqual(summary.assets.by_category);
    expect(answer.summary?.headcount.by_department).toEqual(summary.headcount.by_department);
    expect(answer.aging).toEqual(aging);
    expect(answer.assigned.items[0]?.assigned_employee).toEqual({ id: 5, name: "Emma Employee", unavailable: false });
    expect(answer).toMatchObject({ partial: false, unavailable: [] });
  });

  it("passes the as-of day to the aging call when given", async () => {
    const services = fakeServices({
      [SUMMARY_ROUTE]: { json: summary },
      [ASSETS_ROUTE]: { json: page([]) },
      [AGING_ROUTE]: { json: aging },
    });
    await dashboardView({ token: TOKEN, fetch: services.fetch }, { asOf: "2026-11-30" });
    expect(services.callsTo(AGING_ROUTE)[0]?.url.searchParams.get("as_of")).toBe("2026-11-30");
  });

  it("gives no aging, and is not partial, when the user's roles may not read invoices (403)", async () => {
    const services = fakeServices({
      [SUMMARY_ROUTE]: { json: summary },
      [ASSETS_ROUTE]: { json: page([]) },
      [AGING_ROUTE]: {
        status: 403,
        json: { detail: "Your roles do not allow you to read reports", code: "forbidden" },
      },
    });

    const answer = await dashboardView({ token: TOKEN, fetch: services.fetch });

    expect(answer.aging).toBeNull();
    expect(answer.summary?.assets.count).toBe(3);
    expect(answer).toMatchObject({ partial: false, unavailable: [] });
  });

  it("answers the rest, partially, when the invoice service is down or fails", async () => {
    for (const failure of [
      { networkError: "ECONNREFUSED" },
      { status: 503, json: { detail: "down", code: "unavailable" } },
      { json: { as_of: "2026-11-30", items: "nope" } },
    ]) {
      const services = fakeServices({
        [SUMMARY_ROUTE]: { json: summary },
        [ASSETS_ROUTE]: { json: page([asset({ assigned_employee_id: 5 })]) },
        [AGING_ROUTE]: failure,
        [EMPLOYEES_ROUTE]: employeesByIds([emma]),
      });

      const answer = await dashboardView({ token: TOKEN, fetch: services.fetch });

      expect(answer.aging).toBeNull();
      expect(answer.summary?.assets.count).toBe(3);
      expect(answer.assigned.items[0]?.assigned_employee?.name).toBe("Emma Employee");
      expect(answer).toMatchObject({ partial: true, unavailable: ["invoice"] });
    }
  });

  it("answers the rest, partially, when the dashboard service is down", async () => {
    const services = fakeServices({
      [SUMMARY_ROUTE]: { networkError: "ECONNREFUSED" },
      [ASSETS_ROUTE]: { json: page([asset({ assigned_employee_id: 5 })]) },
      [AGING_ROUTE]: { json: aging },
      [EMPLOYEES_ROUTE]: employeesByIds([emma]),
    });

    const answer = await dashboardView({ token: TOKEN, fetch: services.fetch });

    expect(answer.summary).toBeNull();
    expect(answer.aging).toEqual(aging);
    expect(answer.assigned.items).toHaveLength(1);
    expect(answer).toMatchObject({ partial: true, unavailable: ["dashboard"] });
  });

  it("names every missing service when several are down", async () => {
    const services = fakeServices({
      [SUMMARY_ROUTE]: { networkError: "ECONNREFUSED" },
      [ASSETS_ROUTE]: { json: page([asset({ assigned_employee_id: 5 })]) },
      [AGING_ROUTE]: { networkError: "ECONNREFUSED" },
      [EMPLOYEES_ROUTE]: { networkError: "ECONNREFUSED" },
    });

    const answer = await dashboardView({ token: TOKEN, fetch: services.fetch });

    expect(answer).toMatchObject({ partial: true, unavailable: ["employee", "dashboard", "invoice"] });
  });

  it("lets a 401 of the invoice service go up: the user's token is no longer valid", async () => {
    const services = fakeServices({
      [SUMMARY_ROUTE]: { json: summary },
      [ASSETS_ROUTE]: { json: page([]) },
      [AGING_ROUTE]: { status: 401, json: { detail: "Token expired", code: "unauthorized" } },
    });
    await expect(dashboardView({ token: TOKEN, fetch: services.fetch })).rejects.toMatchObject({
      service: "invoice",
      status: 401,
    });
  });
});
