import type { NextRequest, NextResponse } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_ID, daySchema, idSchema, readPathDay, readPathId } from "@/lib/api/path";
import { PUT as recordDay } from "@/app/api/attendance/[employeeId]/[day]/route";
import { POST as completeMaintenance } from "@/app/api/assets/[id]/maintenance/[logId]/complete/route";
import { DELETE as deleteAsset, GET as getAsset } from "@/app/api/assets/[id]/route";
import { GET as getCustomer } from "@/app/api/customers/[id]/route";
import { GET as departmentEmployees } from "@/app/api/departments/[id]/employees/route";
import { DELETE as deleteDepartment, GET as getDepartment } from "@/app/api/departments/[id]/route";
import { PUT as setRoles } from "@/app/api/employees/[id]/roles/route";
import { PATCH as updateEmployee } from "@/app/api/employees/[id]/route";
import { POST as issueInvoice } from "@/app/api/invoices/[id]/issue/route";
import { GET as getInvoice } from "@/app/api/invoices/[id]/route";
import { GET as getNotification } from "@/app/api/notifications/[id]/route";
import { GET as listNotifications } from "@/app/api/notifications/route";
import { PUT as putView } from "@/app/api/saved-views/[id]/route";
import { assetsQuerySchema } from "@/lib/assets-query";
import { employeesQuerySchema } from "@/lib/employees-query";
import { invoicesQuerySchema } from "@/lib/invoices-query";
import { ASSET, EMPLOYEE, fakeServices } from "./support/fake-services";
import { appRequest, sessionCookieHeader } from "./support/session";

const NOT_IDS = ["", "0", "-1", "-0", "abc", "x1", "1x", "+5", " 5", "5 ", "1.5", "1e3", "0x10", "１２"];

describe("an id in a path or query string", () => {
  it("is a whole number from 1 to PostgreSQL's INTEGER, written in digits", () => {
    expect(idSchema.parse("1")).toBe(1);
    expect(idSchema.parse("42")).toBe(42);
    expect(idSchema.parse("007")).toBe(7);
    expect(idSchema.parse(String(MAX_ID))).toBe(2_147_483_647);
    // A query already parsed can be parsed again.
    expect(idSchema.parse(42)).toBe(42);
  });

  it("is refused when zero, negative, not digits, signed, padded or too big", () => {
    for (const bad of [...NOT_IDS, "2147483648", "9007199254740993", "9".repeat(400)]) {
      expect(idSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    for (const bad of [0, -1, 1.5, MAX_ID + 1, Number.NaN, null, undefined, true]) {
      expect(idSchema.safeParse(bad).success, String(bad)).toBe(false);
    }
  });
});

describe("an id in a list's query string", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is read by the same schema in every resource's query", () => {
    expect(assetsQuerySchema.parse({ category_id: "3" })).toMatchObject({ category_id: 3 });
    expect(invoicesQuerySchema.parse({ customer_id: "4" })).toMatchObject({ customer_id: 4 });
    expect(employeesQuerySchema.parse({ department_id: "5" })).toMatchObject({ department_id: 5 });
    for (const bad of ["0", "+3", " 3", "1e3", "2147483648"]) {
      expect(assetsQuerySchema.safeParse({ category_id: bad }).success, bad).toBe(false);
      expect(invoicesQuerySchema.safeParse({ customer_id: bad }).success, bad).toBe(false);
      expect(employeesQuerySchema.safeParse({ department_id: bad }).success, bad).toBe(false);
    }
  });

  it("is refused by the route with a 422 naming the query parameter", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const cookie = await sessionCookieHeader();
    const response = await listNotifications(appRequest("/api/notifications?invoice_id=%2B12", { headers: { cookie } }));
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      code: "validation_error",
      detail: [{ loc: ["query", "invoice_id"], field: "invoice_id", msg: `Must be a whole number from 1 to ${MAX_ID}` }],
    });
    expect(services.calls).toHaveLength(0);
  });
});

describe("readPathId", () => {
  it("gives the id of a well-formed segment", () => {
    expect(readPathId({ id: "12" }, "id")).toEqual({ ok: true, id: 12 });
    expect(readPathId({ id: "3", logId: "9" }, "logId")).toEqual({ ok: true, id: 9 });
  });

  it("answers the services' 422 naming the path parameter, with FastAPI's msg and type", () => {
    expect(readPathId({ id: "abc" }, "id")).toEqual({
      ok: false,
      error: {
        detail: [
          {
            loc: ["path", "id"],
            field: "id",
            msg: "Input should be a valid integer, unable to parse string as an integer",
            type: "int_parsing",
          },
        ],
        code: "validation_error",
      },
    });
    const typeOf = (raw: string) => {
      const read = readPathId({ logId: raw }, "logId");
      return read.ok ? null : read.error.detail[0];
    };
    expect(typeOf("0")).toEqual({
      loc: ["path", "logId"],
      field: "logId",
      msg: "Input should be greater than or equal to 1",
      type: "greater_than_equal",
    });
    expect(typeOf("-7")?.type).toBe("greater_than_equal");
    expect(typeOf("2147483648")).toEqual({
      loc: ["path", "logId"],
      field: "logId",
      msg: "Input should be less than or equal to 2147483647",
      type: "less_than_equal",
    });
    for (const raw of ["+5", " 5", "5 ", "1.5", "1e3", "0x10", ""]) expect(typeOf(raw)?.type, JSON.stringify(raw)).toBe("int_parsing");
    expect(readPathId({}, "id")).toMatchObject({ ok: false, error: { detail: [{ loc: ["path", "id"], type: "missing" }] } });
  });
});

describe("readPathDay", () => {
  it("gives a YYYY-MM-DD day, else the 422 naming the parameter", () => {
    expect(readPathDay({ day: "2026-11-30" }, "day")).toEqual({ ok: true, day: "2026-11-30" });
    expect(daySchema.safeParse("30.11.2026").success).toBe(false);
    expect(readPathDay({ day: "2026-1-3" }, "day")).toEqual({
      ok: false,
      error: {
        detail: [{ loc: ["path", "day"], field: "day", msg: "Input should be a valid date in the format YYYY-MM-DD", type: "date_parsing" }],
        code: "validation_error",
      },
    });
  });
});

type Route = (request: NextRequest, route: { params: Promise<Record<string, string>> }) => Promise<NextResponse>;

async function call(route: Route, method: string, path: string, params: Record<string, string>, body?: unknown) {
  const cookie = await sessionCookieHeader();
  return route(appRequest(path, { method, body, headers: { cookie } }), { params: Promise.resolve(params) });
}

describe("every BFF route under an id", () => {
  afterEach(() => vi.unstubAllGlobals());

  const cases: { what: string; route: Route; method: string; path: string; params: Record<string, string>; body?: unknown; name: string }[] = [
    { what: "GET /api/assets/{id}", route: getAsset, method: "GET", path: "/api/assets/x1", params: { id: "x1" }, name: "id" },
    { what: "DELETE /api/assets/{id}", route: deleteAsset, method: "DELETE", path: "/api/assets/0", params: { id: "0" }, name: "id" },
    {
      what: "POST /api/assets/{id}/maintenance/{logId}/complete",
      route: completeMaintenance,
      method: "POST",
      path: "/api/assets/3/maintenance/+4/complete",
      params: { id: "3", logId: "+4" },
      name: "logId",
    },
    { what: "GET /api/invoices/{id}", route: getInvoice, method: "GET", path: "/api/invoices/2147483648", params: { id: "2147483648" }, name: "id" },
    { what: "POST /api/invoices/{id}/issue", route: issueInvoice, method: "POST", path: "/api/invoices/1.5/issue", params: { id: "1.5" }, name: "id" },
    { what: "GET /api/customers/{id}", route: getCustomer, method: "GET", path: "/api/customers/-3", params: { id: "-3" }, name: "id" },
    {
      what: "PATCH /api/employees/{id}",
      route: updateEmployee,
      method: "PATCH",
      path: "/api/employees/%205",
      params: { id: " 5" },
      body: { job_title: "Engineer" },
      name: "id",
    },
    { what: "PUT /api/employees/{id}/roles", route: setRoles, method: "PUT", path: "/api/employees/e/roles", params: { id: "e" }, body: { roles: ["employee"] }, name: "id" },
    { what: "GET /api/departments/{id}", route: getDepartment, method: "GET", path: "/api/departments/it", params: { id: "it" }, name: "id" },
    { what: "DELETE /api/departments/{id}", route: deleteDepartment, method: "DELETE", path: "/api/departments/0", params: { id: "0" }, name: "id" },
    { what: "GET /api/departments/{id}/employees", route: departmentEmployees, method: "GET", path: "/api/departments/1e3/employees", params: { id: "1e3" }, name: "id" },
    { what: "GET /api/notifications/{id}", route: getNotification, method: "GET", path: "/api/notifications/0x10", params: { id: "0x10" }, name: "id" },
    {
      what: "PUT /api/saved-views/{id}",
      route: putView,
      method: "PUT",
      path: "/api/saved-views/mine",
      params: { id: "mine" },
      body: { resource: "assets", name: "Mine", filters: {}, sort: null, columns: null },
      name: "id",
    },
    {
      what: "PUT /api/attendance/{employeeId}/{day}",
      route: recordDay,
      method: "PUT",
      path: "/api/attendance/five/2026-11-30",
      params: { employeeId: "five", day: "2026-11-30" },
      body: { status: "present" },
      name: "employeeId",
    },
  ];

  it.each(cases)("$what answers 422 naming the malformed path parameter, without asking a service", async ({ route, method, path, params, body, name }) => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const response = await call(route, method, path, params, body);
    expect(response.status).toBe(422);
    const answer = (await response.json()) as { code: string; detail: { loc: unknown[]; field: string; msg: string; type: string }[] };
    expect(answer.code).toBe("validation_error");
    expect(answer.detail).toHaveLength(1);
    expect(answer.detail[0]).toMatchObject({ loc: ["path", name], field: name });
    expect(typeof answer.detail[0]?.msg).toBe("string");
    expect(services.calls).toHaveLength(0);
  });

  it("names every malformed segment of the path in one answer, days too", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const maintenance = await call(completeMaintenance, "POST", "/api/assets/a/maintenance/b/complete", { id: "a", logId: "b" });
    expect(((await maintenance.json()) as { detail: { loc: unknown[] }[] }).detail.map((issue) => issue.loc)).toEqual([
      ["path", "id"],
      ["path", "logId"],
    ]);
    const attendance = await call(recordDay, "PUT", "/api/attendance/5/30.11.2026", { employeeId: "5", day: "30.11.2026" }, { status: "present" });
    expect(attendance.status).toBe(422);
    expect(await attendance.json()).toMatchObject({ detail: [{ loc: ["path", "day"], type: "date_parsing" }] });
    expect(services.calls).toHaveLength(0);
  });

  it("checks the session and the body first, as before: no session is 401, a bad body its own 422", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const anonymous = await getAsset(appRequest("/api/assets/x1"), { params: Promise.resolve({ id: "x1" }) });
    expect(anonymous.status).toBe(401);
    const badBody = await call(setRoles, "PUT", "/api/employees/x/roles", { id: "x" }, { roles: "admin" });
    expect(badBody.status).toBe(422);
    expect(await badBody.json()).toMatchObject({ detail: [{ loc: ["body", "roles"] }] });
    expect(services.calls).toHaveLength(0);
  });

  it("hands the handler the ids (and the day) of a well-formed path", async () => {
    const services = fakeServices({
      [`POST ${ASSET}/api/v1/assets/3/maintenance/4/complete`]: { status: 404, json: { detail: "Log 4 not found", code: "not_found" } },
      [`PUT ${EMPLOYEE}/api/v1/attendance/5/2026-11-30`]: { status: 404, json: { detail: "Employee 5 not found", code: "not_found" } },
    });
    vi.stubGlobal("fetch", services.fetch);
    const done = await call(completeMaintenance, "POST", "/api/assets/3/maintenance/4/complete", { id: "3", logId: "4" });
    expect(done.status).toBe(404);
    const day = await call(recordDay, "PUT", "/api/attendance/5/2026-11-30", { employeeId: "5", day: "2026-11-30" }, { status: "present" });
    expect(day.status).toBe(404);
    expect(services.calls.map((seen) => seen.url.pathname)).toEqual([
      "/api/v1/assets/3/maintenance/4/complete",
      "/api/v1/attendance/5/2026-11-30",
    ]);
  });
});
