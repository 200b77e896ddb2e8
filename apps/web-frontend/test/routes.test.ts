import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as getAssets } from "@/app/api/assets/route";
import { POST as checkIn } from "@/app/api/attendance/check-in/route";
import { GET as getDashboardAssets } from "@/app/api/dashboard/assets-with-owners/route";
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
import { APP, SERVICE_TOKEN, appRequest, sessionCookieHeader } from "./support/session";

describe("the BFF routes", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("GET /api/assets answers 401 without a session and never calls a service", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const response = await getAssets(appRequest("/api/assets"));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Sign in first", code: "not_authenticated" });
    expect(services.calls).toHaveLength(0);
  });

  it("GET /api/assets answers 401 session_expired once the service token ran out", async () => {
    vi.stubGlobal("fetch", fakeServices({}).fetch);
    const response = await getAssets(appRequest("/api/assets", { headers: { cookie: await sessionCookieHeader({ expiresInMs: -1 }) } }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "session_expired" });
  });

  it("GET /api/assets refuses unknown and bad parameters with a 422 in the services' shape", async () => {
    vi.stubGlobal("fetch", fakeServices({}).fetch);
    const cookie = await sessionCookieHeader();
    const unknown = await getAssets(appRequest("/api/assets?stauts=disposed", { headers: { cookie } }));
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toEqual({
      detail: [{ loc: ["query", "stauts"], field: "stauts", msg: expect.any(String), type: "extra_forbidden" }],
      code: "validation_error",
    });
    const bad = await getAssets(appRequest("/api/assets?limit=500&sort=colour", { headers: { cookie } }));
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { detail: { field: string }[] };
    expect(body.detail.map((issue) => issue.field).sort()).toEqual(["limit", "sort"]);
  });

  it("GET /api/assets answers the page with owners, forwarding the user's token", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { json: page([asset({ assigned_employee_id: 2 })]) },
      [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([employee(2, "Helen", "Hughes")]),
    });
    vi.stubGlobal("fetch", services.fetch);
    const response = await getAssets(
      appRequest("/api/assets?status=assigned&sort=-name", { headers: { cookie: await sessionCookieHeader() } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { items: { assigned_employee: unknown }[]; partial: boolean };
    expect(body.items[0]?.assigned_employee).toEqual({ id: 2, name: "Helen Hughes", unavailable: false });
    expect(body.partial).toBe(false);
    expect(services.calls.map((call) => call.headers.get("authorization"))).toEqual([
      `Bearer ${SERVICE_TOKEN}`,
      `Bearer ${SERVICE_TOKEN}`,
    ]);
    expect(services.calls[0]?.url.searchParams.get("limit")).toBe("20");
    expect(JSON.stringify(body)).not.toContain(SERVICE_TOKEN);
  });

  it("GET /api/assets passes a service's 4xx through and answers 503 when the asset service is down", async () => {
    const cookie = await sessionCookieHeader();
    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`GET ${ASSET}/api/v1/assets`]: { status: 403, json: { detail: "Not for you", code: "forbidden" } },
      }).fetch,
    );
    const forbidden = await getAssets(appRequest("/api/assets", { headers: { cookie } }));
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ detail: "Not for you", code: "forbidden" });

    vi.stubGlobal("fetch", fakeServices({ [`GET ${ASSET}/api/v1/assets`]: { networkError: "ECONNREFUSED" } }).fetch);
    const down = await getAssets(appRequest("/api/assets", { headers: { cookie } }));
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: "service_unavailable" });
  });

  it("GET /api/dashboard/assets-with-owners answers partially when the dashboard is down", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`GET ${DASHBOARD}/api/v1/dashboard/summary`]: { networkError: "ECONNREFUSED" },
        [`GET ${ASSET}/api/v1/assets`]: { json: page([]) },
      }).fetch,
    );
    const response = await getDashboardAssets(
      appRequest("/api/dashboard/assets-with-owners", { headers: { cookie: await sessionCookieHeader() } }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ summary: null, partial: true, unavailable: ["dashboard"] });
  });

  it("POST /api/attendance/check-in is refused from another origin and without one (CSRF)", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const cookie = await sessionCookieHeader();
    const attempts: Record<string, string>[] = [{ cookie, origin: "https://evil.example" }, { cookie }];
    for (const headers of attempts) {
      // Built by hand: appRequest always sends the app's own origin on a POST.
      const response = await checkIn(
        new NextRequest(`${APP}/api/attendance/check-in`, { method: "POST", headers: { host: "localhost:3000", ...headers } }),
      );
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: "csrf_failed" });
    }
    expect(services.calls).toHaveLength(0);
  });

  it("POST /api/attendance/check-in from the app's own pages checks the user in", async () => {
    const services = fakeServices({
      [`POST ${EMPLOYEE}/api/v1/attendance/check-in`]: {
        status: 201,
        json: {
          id: 1,
          employee_id: 1,
          date: "2026-11-30",
          check_in_at: "2026-11-30T08:00:00Z",
          check_out_at: null,
          worked_hours: null,
          status: "present",
          note: null,
        },
      },
    });
    vi.stubGlobal("fetch", services.fetch);
    const response = await checkIn(
      appRequest("/api/attendance/check-in", {
        method: "POST",
        headers: { cookie: await sessionCookieHeader(), origin: APP },
      }),
    );
    expect(response.status).toBe(201);
    expect(services.calls[0]?.headers.get("authorization")).toBe(`Bearer ${SERVICE_TOKEN}`);
  });
});
