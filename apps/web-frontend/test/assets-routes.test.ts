import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { POST as bulk } from "@/app/api/assets/bulk/route";
import { GET as exportAssets } from "@/app/api/assets/export/route";
import { POST as importAssets } from "@/app/api/assets/import/route";
import { POST as assign } from "@/app/api/assets/[id]/assign/route";
import { GET as employeeOptions } from "@/app/api/assets/employee-options/route";
import { ASSET, EMPLOYEE, asset, employee, fakeServices, page } from "./support/fake-services";
import { APP, SERVICE_TOKEN, appRequest, sessionCookieHeader } from "./support/session";

const cookie = () => sessionCookieHeader({ roles: ["asset_manager", "employee"] });

/** An asset manager's request; `body` is sent as JSON. */
async function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  return appRequest(path, { ...init, headers: { cookie: await cookie(), ...init.headers } });
}

/** An asset manager's upload, its body sent as it is (multipart or CSV text). */
async function upload(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return new NextRequest(`${APP}${path}`, {
    method: "POST",
    headers: { host: "localhost:3000", cookie: await cookie(), origin: APP, ...headers },
    body,
  });
}

const rejected = {
  detail: "2 of 3 rows cannot be assigned; nothing was changed",
  code: "bulk_rejected",
  action: "assign",
  succeeded: 0,
  failed: 2,
  results: [
    { id: 1, ok: true, item: null },
    { id: 2, ok: false, status: 409, code: "asset_not_available", detail: "Asset LAP-0002 is assigned; only an in-stock asset can be assigned", field: null },
    { id: 9, ok: false, status: 404, code: "not_found", detail: "Asset 9 not found", field: null },
  ],
};

describe("POST /api/assets/bulk", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("passes the service's 409 bulk_rejected through whole, with each row's reason", async () => {
    const services = fakeServices({ [`POST ${ASSET}/api/v1/assets/bulk`]: { status: 409, json: rejected } });
    vi.stubGlobal("fetch", services.fetch);
    const body = { action: "assign", ids: [1, 2, 9], employee_id: 5, note: "new starters" };
    const response = await bulk(await request("/api/assets/bulk", { method: "POST", body }));
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(rejected);
    const [call] = services.calls;
    expect(JSON.parse(call?.body ?? "null")).toEqual(body);
    expect(call?.headers.get("authorization")).toBe(`Bearer ${SERVICE_TOKEN}`);
  });

  it("answers 200 with every row when the service applied the action", async () => {
    const done = { action: "set_status", succeeded: 1, failed: 0, results: [{ id: 4, ok: true, item: asset({ id: 4, status: "retired" }) }] };
    vi.stubGlobal("fetch", fakeServices({ [`POST ${ASSET}/api/v1/assets/bulk`]: { json: done } }).fetch);
    const response = await bulk(
      await request("/api/assets/bulk", { method: "POST", body: { action: "set_status", ids: [4], status: "retired" } }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ action: "set_status", succeeded: 1, results: [{ id: 4, ok: true, item: { status: "retired" } }] });
  });

  it("refuses a bad body (unknown action, no ids, unknown field) with a 422 before asking the service", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    for (const body of [{ action: "paint", ids: [1] }, { action: "return", ids: [] }, { action: "return", ids: [1], colour: "red" }]) {
      const response = await bulk(await request("/api/assets/bulk", { method: "POST", body }));
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ code: "validation_error" });
    }
    expect(services.calls).toHaveLength(0);
  });

  it("passes the service's 422 (a field the action needs) and answers 503 when the service is down", async () => {
    const missing = { detail: [{ loc: ["body", "employee_id"], field: "employee_id", msg: "employee_id is required for action assign", type: "value_error" }], code: "validation_error" };
    vi.stubGlobal("fetch", fakeServices({ [`POST ${ASSET}/api/v1/assets/bulk`]: { status: 422, json: missing } }).fetch);
    const init = { method: "POST", body: { action: "assign", ids: [1] } };
    const invalid = await bulk(await request("/api/assets/bulk", init));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual(missing);

    vi.stubGlobal("fetch", fakeServices({ [`POST ${ASSET}/api/v1/assets/bulk`]: { networkError: "ECONNREFUSED" } }).fetch);
    const down = await bulk(await request("/api/assets/bulk", init));
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: "service_unavailable" });
  });

  it("is refused from another origin (CSRF) without asking the service", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const response = await bulk(
      await request("/api/assets/bulk", { method: "POST", body: {}, headers: { origin: "https://evil.example" } }),
    );
    expect(response.status).toBe(403);
    expect(services.calls).toHaveLength(0);
  });
});

describe("GET /api/assets/export", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("streams the service's CSV with its status, content type and content-disposition, passing the filters", async () => {
    const csv = "asset_tag,name\nLAP-0001,ThinkPad\n";
    const seen: URL[] = [];
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new URL(String(input)));
      expect(new Headers(init?.headers).get("authorization")).toBe(`Bearer ${SERVICE_TOKEN}`);
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("asset_tag,name\n"));
          controller.enqueue(new TextEncoder().encode("LAP-0001,ThinkPad\n"));
          controller.close();
        },
      });
      return new Response(stream, {
        status: 200,
        headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="assets-2026-11-30.csv"' },
      });
    });
    const response = await exportAssets(await request("/api/assets/export?status=assigned&location=office&cost_min=100&purchased_from=2025-01-01"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="assets-2026-11-30.csv"');
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe(csv);
    expect(seen[0]?.pathname).toBe("/api/v1/assets/export");
    expect(Object.fromEntries(seen[0]?.searchParams ?? [])).toEqual({
      status: "assigned",
      location: "office",
      cost_min: "100",
      purchased_from: "2025-01-01",
    });
  });

  it("exports a selection by ids, and passes the service's 422 on as JSON", async () => {
    const refusal = { detail: [{ loc: ["query", "purchased_from"], field: "purchased_from", msg: "purchased_from is after purchased_to", type: "value_error" }], code: "validation_error" };
    const services = fakeServices({ [`GET ${ASSET}/api/v1/assets/export`]: { status: 422, json: refusal } });
    vi.stubGlobal("fetch", services.fetch);
    const response = await exportAssets(await request("/api/assets/export?ids=3,5,8"));
    expect(services.calls[0]?.url.searchParams.get("ids")).toBe("3,5,8");
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual(refusal);
  });

  it("refuses paging parameters and bad filters itself (422) without asking the service", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    for (const query of ["limit=20", "cost_min=12.345", "ids=1,x", "currency=EURO", "purchased_to=2025-13-45"]) {
      const response = await exportAssets(await request(`/api/assets/export?${query}`));
      expect(response.status, query).toBe(422);
    }
    expect(services.calls).toHaveLength(0);
  });
});

describe("POST /api/assets/import", () => {
  afterEach(() => vi.unstubAllGlobals());

  const invalid = {
    detail: [{ loc: ["body", "file", 3, "purchase_cost"], field: "file", msg: "row 3, purchase_cost: must be a plain decimal", type: "invalid_csv" }],
    code: "invalid_csv",
    message: "1 row(s) are not valid; nothing was imported",
    errors: [{ row: 3, field: "purchase_cost", message: "must be a plain decimal" }],
  };

  function capture(answer: () => Response) {
    const bodies: FormData[] = [];
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      expect(new URL(String(input)).pathname).toBe("/api/v1/assets/import");
      expect(new Headers(init?.headers).get("authorization")).toBe(`Bearer ${SERVICE_TOKEN}`);
      bodies.push(init?.body as FormData);
      return answer();
    });
    return bodies;
  }

  it("passes a multipart upload on as the service's `file`, and its 422 invalid_csv whole (every bad row)", async () => {
    const bodies = capture(() => Response.json(invalid, { status: 422 }));
    const form = new FormData();
    form.set("file", new File(["name,category_code\nx,LAP\n"], "mine.csv", { type: "text/csv" }));
    const response = await importAssets(await upload("/api/assets/import", form));
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual(invalid);
    const sent = bodies[0]?.get("file");
    expect(sent).toBeInstanceOf(File);
    expect((sent as File).name).toBe("mine.csv");
    expect(await (sent as File).text()).toBe("name,category_code\nx,LAP\n");
  });

  it("takes a raw text/csv body too, and answers the service's 201", async () => {
    const bodies = capture(() => Response.json({ imported: 2, ids: [40, 41] }, { status: 201 }));
    const response = await importAssets(
      await upload("/api/assets/import", "name\nA\nB\n", { "content-type": "text/csv" }),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ imported: 2, ids: [40, 41] });
    expect(await (bodies[0]?.get("file") as File).text()).toBe("name\nA\nB\n");
  });

  it("refuses a request without a file, or of another type, in the services' 422 shape", async () => {
    const bodies = capture(() => Response.json({}, { status: 500 }));
    const empty = await importAssets(await upload("/api/assets/import", new FormData()));
    expect(empty.status).toBe(422);
    expect(await empty.json()).toMatchObject({ detail: [{ field: "file" }] });
    const json = await importAssets(await request("/api/assets/import", { method: "POST", body: {} }));
    expect(json.status).toBe(422);
    expect(bodies).toHaveLength(0);
  });
});

describe("asset action routes", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("POST /api/assets/{id}/assign passes the body on and the service's 409 message back", async () => {
    const services = fakeServices({
      [`POST ${ASSET}/api/v1/assets/4/assign`]: { status: 409, json: { detail: "Asset LAP-0004 is in_maintenance; only an in-stock asset can be assigned", code: "asset_not_available" } },
    });
    vi.stubGlobal("fetch", services.fetch);
    const response = await assign(
      await request("/api/assets/4/assign", { method: "POST", body: { employee_id: 5 } }),
      { params: Promise.resolve({ id: "4" }) },
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "asset_not_available" });
    expect(JSON.parse(services.calls[0]?.body ?? "null")).toEqual({ employee_id: 5 });
  });

  it("answers the services' 422 naming the path parameter for a malformed id, without asking the service", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const response = await assign(
      await request("/api/assets/x1/assign", { method: "POST", body: { employee_id: 5 } }),
      { params: Promise.resolve({ id: "x1" }) },
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      detail: [
        {
          loc: ["path", "id"],
          field: "id",
          msg: "Input should be a valid integer, unable to parse string as an integer",
          type: "int_parsing",
        },
      ],
      code: "validation_error",
    });
    expect(services.calls).toHaveLength(0);
  });

  it("GET /api/assets/employee-options searches the employee service", async () => {
    const services = fakeServices({ [`GET ${EMPLOYEE}/api/v1/employees`]: { json: page([employee(5, "Emma", "Employee")]) } });
    vi.stubGlobal("fetch", services.fetch);
    const response = await employeeOptions(await request("/api/assets/employee-options?q=emm"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: [{ id: 5, name: "Emma Employee", email: "emma@tb-erp.example", job_title: null, status: "active" }] });
    expect(services.calls[0]?.url.searchParams.get("q")).toBe("emm");
  });
});
