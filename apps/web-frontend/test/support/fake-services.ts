/**
 * A fake `fetch` standing in for the services over HTTP: each route answers what the test says
 * (a JSON body and status, or a thrown network error), and every call is recorded so a test can
 * count them ("one employee call per page").
 */

export interface RecordedCall {
  method: string;
  url: URL;
  headers: Headers;
  body: string | null;
}

type Answer =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | { networkError: string }
  | ((call: RecordedCall) => Answer | Promise<Answer>);

export const EMPLOYEE = "http://127.0.0.1:8001";
export const ASSET = "http://127.0.0.1:8002";
export const DASHBOARD = "http://127.0.0.1:8004";

export function fakeServices(routes: Record<string, Answer>) {
  const calls: RecordedCall[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? "GET").toUpperCase();
    const call: RecordedCall = {
      method,
      url,
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? init.body : null,
    };
    calls.push(call);
    let answer = routes[`${method} ${url.origin}${url.pathname}`];
    while (typeof answer === "function") answer = await answer(call);
    if (answer === undefined) {
      return new Response(JSON.stringify({ detail: "no such fake route", code: "not_found" }), {
        status: 404,
      });
    }
    if ("networkError" in answer) throw new TypeError(`fetch failed: ${answer.networkError}`);
    const status = answer.status ?? 200;
    // A 204 has no body at all (a Response refuses one).
    const body = status === 204 || status === 304 ? null : (answer.text ?? JSON.stringify(answer.json ?? null));
    return new Response(body, {
      status,
      headers: { "content-type": "application/json", ...answer.headers },
    });
  };
  return {
    fetch: fetchImpl as typeof fetch,
    calls,
    callsTo(prefix: string) {
      return calls.filter((call) => `${call.method} ${call.url.origin}${call.url.pathname}`.startsWith(prefix));
    },
  };
}

let nextId = 1;

/** An asset as the asset service lists it. */
export function asset(overrides: Partial<Record<string, unknown>> = {}) {
  const id = nextId++;
  return {
    id,
    asset_tag: `LAP-${String(id).padStart(4, "0")}`,
    name: `Laptop ${id}`,
    serial_number: null,
    category_id: 1,
    status: overrides.assigned_employee_id ? "assigned" : "in_stock",
    location: "Head office",
    purchase_date: "2025-02-03",
    purchase_cost: "1480.00",
    salvage_value: "0.00",
    currency: "EUR",
    useful_life_months: 36,
    depreciation_method: "straight_line",
    declining_rate: null,
    assigned_employee_id: null,
    notes: null,
    book_value: "900.00",
    accumulated_depreciation: "580.00",
    created_by: "test",
    updated_by: "test",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

/** An employee as the employee service lists it. */
export function employee(id: number, first_name: string, last_name: string) {
  return {
    id,
    first_name,
    last_name,
    email: `${first_name.toLowerCase()}@tb-erp.example`,
    phone: null,
    job_title: null,
    department_id: 1,
    manager_id: null,
    hire_date: "2024-03-01",
    status: "active",
    roles: ["employee"],
    has_login: true,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

export function page<T>(items: T[], extra: Record<string, unknown> = {}) {
  return { items, total: items.length, limit: 20, offset: 0, next_cursor: null, ...extra };
}

/** The employees the fake employee service knows; `?ids=` answers those asked for, as the real one. */
export function employeesByIds(known: ReturnType<typeof employee>[]) {
  return (call: RecordedCall) => {
    const ids = (call.url.searchParams.get("ids") ?? "").split(",").map(Number);
    return { json: page(known.filter((person) => ids.includes(person.id)), { limit: 0, total: null }) };
  };
}
