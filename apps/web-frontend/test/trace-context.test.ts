import { trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as getAssets } from "@/app/api/assets/route";
import { serviceContext } from "@/lib/auth/session";
import { employeeService } from "@/lib/services/employee";
import {
  ASSET,
  EMPLOYEE,
  asset,
  employee,
  employeesByIds,
  fakeServices,
  page,
  type RecordedCall,
} from "./support/fake-services";
import { SERVICE_TOKEN, appRequest, sessionCookieHeader } from "./support/session";

// W3C trace context, version 00: trace id, parent span id, flags.
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;
const INVALID_TRACE_ID = "0".repeat(32);

function traceIdOf(call: RecordedCall | undefined): string {
  const header = call?.headers.get("traceparent") ?? "";
  expect(header).toMatch(TRACEPARENT);
  const traceId = header.split("-")[1] ?? "";
  expect(traceId).not.toBe(INVALID_TRACE_ID);
  return traceId;
}

/** The enriched asset list (asset service, then the owners from the employee service). */
function assetsWithOwners() {
  return fakeServices({
    [`GET ${ASSET}/api/v1/assets`]: { json: page([asset({ assigned_employee_id: 2 })]) },
    [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([employee(2, "Helen", "Hughes")]),
  });
}

describe("trace context from the BFF to the services (no tracer configured)", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("a BFF request's service calls each carry a valid traceparent, all with the request's one trace id", async () => {
    const services = assetsWithOwners();
    vi.stubGlobal("fetch", services.fetch);
    const response = await getAssets(appRequest("/api/assets", { headers: { cookie: await sessionCookieHeader() } }));
    expect(response.status).toBe(200);
    expect(services.calls.map((call) => call.url.origin)).toEqual([ASSET, EMPLOYEE]);
    const [first, second] = services.calls;
    expect(traceIdOf(second)).toBe(traceIdOf(first));
    // Sampled: a service that traces records its part of the page load under this id.
    expect(first?.headers.get("traceparent")).toMatch(/-01$/);
  });

  it("two BFF requests are two traces", async () => {
    const cookie = await sessionCookieHeader();
    const services = assetsWithOwners();
    vi.stubGlobal("fetch", services.fetch);
    await getAssets(appRequest("/api/assets", { headers: { cookie } }));
    await getAssets(appRequest("/api/assets", { headers: { cookie } }));
    expect(services.calls).toHaveLength(4);
    const traces = services.calls.map(traceIdOf);
    expect(new Set(traces).size).toBe(2);
    expect(traces[0]).toBe(traces[1]);
    expect(traces[2]).toBe(traces[3]);
    expect(traces[2]).not.toBe(traces[0]);
  });

  it("requests answered at the same time keep their own traces (no trace is shared between them)", async () => {
    const cookie = await sessionCookieHeader();
    const later = <T>(answer: T) => new Promise<T>((resolve) => setTimeout(() => resolve(answer), 5));
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: () => later({ json: page([asset({ assigned_employee_id: 2 })]) }),
      [`GET ${EMPLOYEE}/api/v1/employees`]: (call) => later(employeesByIds([employee(2, "Helen", "Hughes")])(call)),
    });
    vi.stubGlobal("fetch", services.fetch);
    await Promise.all([
      getAssets(appRequest("/api/assets", { headers: { cookie } })),
      getAssets(appRequest("/api/assets", { headers: { cookie } })),
    ]);
    // Both asset calls go out before either employee call: the requests interleave.
    expect(services.calls.map((call) => call.url.origin)).toEqual([ASSET, ASSET, EMPLOYEE, EMPLOYEE]);
    const callsPerTrace = new Map<string, string[]>();
    for (const call of services.calls) {
      const traceId = traceIdOf(call);
      callsPerTrace.set(traceId, [...(callsPerTrace.get(traceId) ?? []), call.url.origin]);
    }
    expect([...callsPerTrace.values()]).toEqual([
      [ASSET, EMPLOYEE],
      [ASSET, EMPLOYEE],
    ]);
  });

  it("a page's service context carries a trace for its calls, with the session's token", () => {
    const context = serviceContext({
      user: { id: "1", employeeId: 1, email: "a@b.c", roles: ["employee"] },
      accessToken: SERVICE_TOKEN,
      expired: false,
    });
    expect(context.token).toBe(SERVICE_TOKEN);
    const traceId = context.requestTrace && trace.getSpanContext(context.requestTrace)?.traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe(INVALID_TRACE_ID);
  });

  it("a call made outside any BFF request (the sign-in) still starts a trace of its own", async () => {
    const services = fakeServices({
      [`POST ${EMPLOYEE}/api/v1/auth/login`]: { status: 401, json: { detail: "Invalid email or password", code: "invalid_credentials" } },
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      await employeeService.login({ email: "a@b.c", password: "x" }, { fetch: services.fetch }).catch(() => undefined);
    }
    expect(traceIdOf(services.calls[0])).not.toBe(traceIdOf(services.calls[1]));
  });
});
