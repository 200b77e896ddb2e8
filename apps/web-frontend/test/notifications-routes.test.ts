import { afterEach, describe, expect, it, vi } from "vitest";
import { notificationsQuerySchema } from "@/lib/notifications-query";
import { GET as getNotification } from "@/app/api/notifications/[id]/route";
import { GET as listNotifications } from "@/app/api/notifications/route";
import { fakeServices, page } from "./support/fake-services";
import { appRequest, sessionCookieHeader } from "./support/session";

const NOTIFICATION = "http://127.0.0.1:8005";
async function request(path: string) {
  return appRequest(path, { headers: { cookie: await sessionCookieHeader({ roles: ["accountant", "employee"] }) } });
}

const receipt = {
  id: 7,
  event_id: "5b0c6c1e-1f4b-4a8e-9a57-2f9d3c1d9e10",
  kind: "receipt",
  invoice_id: 12,
  recipient: "ap@globex.example",
  subject: "Payment received — invoice INV-2026-000012",
  body: "Thank you",
  status: "failed",
  attempts: 3,
  last_error: "SMTP 550",
  next_attempt_at: "2026-11-30T09:00:00Z",
  sent_at: null,
  created_at: "2026-11-30T08:00:00Z",
  updated_at: "2026-11-30T08:30:00Z",
};

describe("notifications", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("parses the list's query: filters, sort, page; unknown parameters refused", () => {
    expect(notificationsQuerySchema.parse({ status: "failed", invoice_id: "12", sort: "-created_at" })).toEqual({
      status: "failed",
      invoice_id: 12,
      sort: "-created_at",
      limit: 20,
      offset: 0,
    });
    for (const bad of [{ status: "lost" }, { invoice_id: "0" }, { sort: "subject" }, { recipient: "x" }]) {
      expect(notificationsQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("GET /api/notifications hands the filters to the notification service", async () => {
    const services = fakeServices({ [`GET ${NOTIFICATION}/api/v1/notifications`]: { json: page([receipt]) } });
    vi.stubGlobal("fetch", services.fetch);
    const response = await listNotifications(await request("/api/notifications?status=failed&invoice_id=12&sort=-id"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ items: [{ id: 7, status: "failed" }] });
    expect(Object.fromEntries(services.calls[0]?.url.searchParams ?? [])).toEqual({
      status: "failed",
      invoice_id: "12",
      sort: "-id",
      limit: "20",
      offset: "0",
    });
  });

  it("GET /api/notifications/{id} passes a 403 and a 404 through, 503 when the service is down", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`GET ${NOTIFICATION}/api/v1/notifications/7`]: { status: 403, json: { detail: "Not for you", code: "forbidden" } },
        [`GET ${NOTIFICATION}/api/v1/notifications/8`]: { status: 404, json: { detail: "Notification 8 not found", code: "not_found" } },
        [`GET ${NOTIFICATION}/api/v1/notifications/9`]: { networkError: "ECONNREFUSED" },
      }).fetch,
    );
    const at = (id: string) => ({ params: Promise.resolve({ id }) });
    expect((await getNotification(await request("/api/notifications/7"), at("7"))).status).toBe(403);
    const missing = await getNotification(await request("/api/notifications/8"), at("8"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Notification 8 not found", code: "not_found" });
    const down = await getNotification(await request("/api/notifications/9"), at("9"));
    expect(down.status).toBe(503);
  });
});
