import { describe, expect, it } from "vitest";
import {
  distinctIds,
  findEmployees,
  invoiceWithEmployee,
  listInvoicesWithEmployees,
} from "@/lib/compose/invoices";
import { ServiceHttpError, ServiceUnavailableError } from "@/lib/services/errors";
import { EMPLOYEE, employee, employeesByIds, fakeServices, page } from "./support/fake-services";

const INVOICE = "http://127.0.0.1:8003";
const TOKEN = "service-token-of-the-user";
const eli = employee(5, "Eli", "Walker");
const helen = employee(2, "Helen", "Hughes");

let nextId = 1;
function invoice(overrides: Record<string, unknown> = {}) {
  const id = nextId++;
  return {
    id,
    number: `INV-2026-${String(id).padStart(6, "0")}`,
    customer_id: 1,
    customer_name: "Northwind Traders Ltd",
    status: "issued",
    is_overdue: false,
    issue_date: "2026-11-01",
    due_date: "2026-12-01",
    currency: "EUR",
    notes: null,
    employee_id: null,
    lines: [
      {
        id: id * 10,
        position: 1,
        description: "Monitor",
        quantity: "2.000",
        unit_price: "100.00",
        discount_percent: "0.00",
        tax_rate: "20.00",
        net_amount: "200.00",
        tax_amount: "40.00",
        total: "240.00",
      },
    ],
    subtotal: "200.00",
    tax_total: "40.00",
    total: "240.00",
    amount_paid: "0.00",
    credited_total: "0.00",
    balance_due: "240.00",
    payments: [],
    credit_notes: [],
    issued_at: "2026-11-01T09:00:00Z",
    voided_at: null,
    void_reason: null,
    created_by: "test",
    updated_by: "test",
    created_at: "2026-11-01T09:00:00Z",
    updated_at: "2026-11-01T09:00:00Z",
    ...overrides,
  };
}

const customer = {
  id: 1,
  name: "Northwind Traders Ltd",
  email: null,
  billing_address: null,
  tax_id: "GB1",
  currency: "EUR",
  payment_terms_days: 30,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

const context = (fetch: typeof globalThis.fetch) => ({ token: TOKEN, fetch });

describe("GET /api/invoices composition (listInvoicesWithEmployees)", () => {
  it("names every responsible employee with ONE employee call per page, each id asked once", async () => {
    const invoices = [
      invoice({ employee_id: 5 }),
      invoice({ employee_id: 2 }),
      invoice({ employee_id: 5 }),
      invoice({ employee_id: null }),
      invoice({ employee_id: 2 }),
    ];
    const services = fakeServices({
      [`GET ${INVOICE}/api/v1/invoices`]: { json: page(invoices, { total: 42 }) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([eli, helen]),
    });

    const answer = await listInvoicesWithEmployees({ limit: 5, offset: 0 }, context(services.fetch));

    const employeeCalls = services.callsTo(`GET ${EMPLOYEE}`);
    expect(employeeCalls).toHaveLength(1);
    expect(employeeCalls[0]?.url.searchParams.get("ids")).toBe("2,5");
    expect(answer.items.map((item) => item.employee)).toEqual([
      { id: 5, name: "Eli Walker", unavailable: false },
      { id: 2, name: "Helen Hughes", unavailable: false },
      { id: 5, name: "Eli Walker", unavailable: false },
      null,
      { id: 2, name: "Helen Hughes", unavailable: false },
    ]);
    // The customer's name comes with the invoice: no customer call without a customer filter.
    expect(answer.items[0]?.customer_name).toBe("Northwind Traders Ltd");
    expect(services.callsTo(`GET ${INVOICE}/api/v1/customers`)).toHaveLength(0);
    expect(answer).toMatchObject({ total: 42, partial: false, unavailable: [] });
    // A list row leaves the lines, payments and credit notes out.
    expect(answer.items[0]).not.toHaveProperty("lines");
    for (const call of services.calls) expect(call.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("passes every filter to the invoice service and names the filter's employee in the same call", async () => {
    const services = fakeServices({
      [`GET ${INVOICE}/api/v1/invoices`]: { json: page([invoice({ employee_id: 5 })]) },
      [`GET ${INVOICE}/api/v1/customers/1`]: { json: customer },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([eli, helen]),
    });
    const query = {
      status: "issued" as const,
      overdue: true,
      customer_id: 1,
      employee_id: 2,
      issued_from: "2026-01-01",
      issued_to: "2026-12-31",
      due_from: "2026-02-01",
      due_to: "2026-11-30",
      currency: "EUR",
      number: "INV-2026",
      total_min: "10.00",
      total_max: "5000",
      q: "north",
      sort: "-total",
      limit: 20,
      offset: 40,
    };

    const answer = await listInvoicesWithEmployees(query, context(services.fetch));

    const [listCall] = services.callsTo(`GET ${INVOICE}/api/v1/invoices`);
    expect(Object.fromEntries(listCall?.url.searchParams ?? [])).toEqual({
      ...Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value)])),
    });
    const employeeCalls = services.callsTo(`GET ${EMPLOYEE}`);
    expect(employeeCalls).toHaveLength(1);
    expect(employeeCalls[0]?.url.searchParams.get("ids")).toBe("2,5");
    expect(answer.filters).toEqual({
      customer: { id: 1, name: "Northwind Traders Ltd" },
      employee: { id: 2, name: "Helen Hughes", unavailable: false },
    });
  });

  it("looks the filter's customer up in parallel with the page", async () => {
    const started: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const services = fakeServices({
      [`GET ${INVOICE}/api/v1/invoices`]: async () => {
        started.push("invoices");
        await gate;
        return { json: page([invoice()]) };
      },
      [`GET ${INVOICE}/api/v1/customers/1`]: () => {
        started.push("customer");
        // The list is still pending: both calls are in flight together.
        release();
        return { json: customer };
      },
    });

    const answer = await listInvoicesWithEmployees({ customer_id: 1, limit: 20, offset: 0 }, context(services.fetch));

    expect(started).toEqual(["invoices", "customer"]);
    expect(answer.filters.customer).toEqual({ id: 1, name: "Northwind Traders Ltd" });
  });

  it("answers the invoices when the employee service is down: names unavailable, partial", async () => {
    for (const failure of [
      { networkError: "ECONNREFUSED" },
      { status: 503, json: { detail: "down", code: "service_unavailable" } },
      { json: { items: "not a list" } },
      { status: 403, json: { detail: "no", code: "forbidden" } },
    ]) {
      const services = fakeServices({
        [`GET ${INVOICE}/api/v1/invoices`]: { json: page([invoice({ employee_id: 5 }), invoice()]) },
        [`GET ${EMPLOYEE}/api/v1/employees`]: failure,
      });
      const answer = await listInvoicesWithEmployees({ limit: 20, offset: 0 }, context(services.fetch));
      expect(answer.items).toHaveLength(2);
      expect(answer.items[0]?.employee).toEqual({ id: 5, name: null, unavailable: true });
      expect(answer.items[1]?.employee).toBeNull();
      expect(answer).toMatchObject({ partial: true, unavailable: ["employee"] });
    }
  });

  it("does not call the employee service when no invoice on the page has a responsible employee", async () => {
    const services = fakeServices({ [`GET ${INVOICE}/api/v1/invoices`]: { json: page([invoice(), invoice()]) } });
    const answer = await listInvoicesWithEmployees({ limit: 20, offset: 0 }, context(services.fetch));
    expect(services.callsTo(`GET ${EMPLOYEE}`)).toHaveLength(0);
    expect(answer.partial).toBe(false);
  });

  it("leaves an unknown employee unnamed without calling the answer partial", async () => {
    const services = fakeServices({
      [`GET ${INVOICE}/api/v1/invoices`]: { json: page([invoice({ employee_id: 99 })]) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([eli]),
    });
    const answer = await listInvoicesWithEmployees({ limit: 20, offset: 0 }, context(services.fetch));
    expect(answer.items[0]?.employee).toEqual({ id: 99, name: null, unavailable: false });
    expect(answer.partial).toBe(false);
  });

  it("passes the invoice service's 4xx through with its {detail, code}, and asks nobody else", async () => {
    const detail = [{ loc: ["query", "total_min"], field: "total_min", msg: "bad", type: "decimal_parsing" }];
    for (const [status, body] of [
      [422, { detail, code: "validation_error" }],
      [403, { detail: "Your roles do not allow you to read invoices", code: "forbidden" }],
    ] as const) {
      const services = fakeServices({ [`GET ${INVOICE}/api/v1/invoices`]: { status, json: body } });
      const failure = await listInvoicesWithEmployees({ limit: 20, offset: 0 }, context(services.fetch)).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ServiceHttpError);
      expect(failure).toMatchObject({ service: "invoice", status, body });
      expect(services.callsTo(`GET ${EMPLOYEE}`)).toHaveLength(0);
    }
  });

  it("fails with 'unavailable' when the invoice service itself is down", async () => {
    const services = fakeServices({ [`GET ${INVOICE}/api/v1/invoices`]: { networkError: "ECONNREFUSED" } });
    await expect(listInvoicesWithEmployees({ limit: 20, offset: 0 }, context(services.fetch))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });

  it("lets a 401 of the employee service go up: the user's token is no longer valid", async () => {
    const services = fakeServices({
      [`GET ${INVOICE}/api/v1/invoices`]: { json: page([invoice({ employee_id: 5 })]) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: { status: 401, json: { detail: "Token expired", code: "token_expired" } },
    });
    await expect(listInvoicesWithEmployees({ limit: 20, offset: 0 }, context(services.fetch))).rejects.toMatchObject({
      status: 401,
      body: { code: "token_expired" },
    });
  });
});

describe("GET /api/invoices/{id} composition (invoiceWithEmployee)", () => {
  it("answers the invoice with its responsible employee's name", async () => {
    const one = invoice({ employee_id: 5 });
    const services = fakeServices({
      [`GET ${INVOICE}/api/v1/invoices/${one.id}`]: { json: one },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([eli]),
    });
    const answer = await invoiceWithEmployee(one.id, context(services.fetch));
    expect(answer.employee).toEqual({ id: 5, name: "Eli Walker", unavailable: false });
    expect(answer.lines).toHaveLength(1);
    expect(answer.partial).toBe(false);
    expect(services.callsTo(`GET ${EMPLOYEE}`)[0]?.url.searchParams.get("ids")).toBe("5");
  });

  it("is partial when the employee service is down, and passes a 404 of the invoice through", async () => {
    const one = invoice({ employee_id: 5 });
    const down = fakeServices({
      [`GET ${INVOICE}/api/v1/invoices/${one.id}`]: { json: one },
      [`GET ${EMPLOYEE}/api/v1/employees`]: { networkError: "ECONNREFUSED" },
    });
    expect(await invoiceWithEmployee(one.id, context(down.fetch))).toMatchObject({
      employee: { id: 5, name: null, unavailable: true },
      partial: true,
      unavailable: ["employee"],
    });

    const missing = fakeServices({
      [`GET ${INVOICE}/api/v1/invoices/77`]: { status: 404, json: { detail: "Invoice 77 not found", code: "not_found" } },
    });
    await expect(invoiceWithEmployee(77, context(missing.fetch))).rejects.toMatchObject({
      status: 404,
      body: { detail: "Invoice 77 not found", code: "not_found" },
    });
  });
});

describe("employee pickers (findEmployees)", () => {
  it("searches active employees by text, or looks ids up in one call", async () => {
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/employees`]: (call) =>
        call.url.searchParams.get("ids") ? employeesByIds([eli, helen])(call) : { json: page([helen]) },
    });
    expect(await findEmployees({ q: "hel" }, context(services.fetch))).toEqual({ items: [{ id: 2, name: "Helen Hughes" }] });
    const [search] = services.calls;
    expect(search?.url.searchParams.get("q")).toBe("hel");
    expect(search?.url.searchParams.get("status")).toBe("active");

    const named = await findEmployees({ ids: "5,2,5" }, context(services.fetch));
    expect(named.items.sort((a, b) => a.id - b.id)).toEqual([
      { id: 2, name: "Helen Hughes" },
      { id: 5, name: "Eli Walker" },
    ]);
    expect(services.calls[1]?.url.searchParams.get("ids")).toBe("2,5");
  });

  it("collects distinct ids in ascending order", () => {
    expect(distinctIds([9, null, 2, 9, undefined, 2])).toEqual([2, 9]);
  });
});
