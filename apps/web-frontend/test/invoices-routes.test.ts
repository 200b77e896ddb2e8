import { afterEach, describe, expect, it, vi } from "vitest";
import { POST as recordPayment } from "@/app/api/invoices/[id]/payments/route";
import { GET as getPdf } from "@/app/api/invoices/[id]/pdf/route";
import { GET as getInvoice } from "@/app/api/invoices/[id]/route";
import { POST as bulk } from "@/app/api/invoices/bulk/route";
import { POST as preview } from "@/app/api/invoices/preview/route";
import { GET as listInvoices } from "@/app/api/invoices/route";
import { POST as createCustomer } from "@/app/api/customers/route";
import { fakeServices, page, type RecordedCall } from "./support/fake-services";
import { SERVICE_TOKEN, appRequest, sessionCookieHeader } from "./support/session";

const INVOICE = "http://127.0.0.1:8003";

/** What Next.js hands an `[id]` route: its segment. */
const at = (id: string) => ({ params: Promise.resolve({ id }) });

/** An accountant's request (from another origin when `origin` says so). */
async function request(path: string, init: { method?: string; body?: unknown; origin?: string } = {}) {
  const cookie = await sessionCookieHeader({ roles: ["accountant", "employee"] });
  return appRequest(path, { ...init, headers: { cookie, ...(init.origin ? { origin: init.origin } : {}) } });
}

const rejected = {
  detail: "2 of 3 invoices cannot be issued; nothing was changed",
  code: "bulk_rejected",
  action: "issue",
  succeeded: 0,
  failed: 2,
  results: [
    { id: 7, ok: false, status: 409, code: "invoice_not_draft", detail: "Invoice 7 is issued, not a draft", field: null },
    { id: 8, ok: true, item: null },
    { id: 9, ok: false, status: 404, code: "not_found", detail: "Invoice 9 not found", field: null },
  ],
};

describe("the invoicing BFF routes", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("POST /api/invoices/bulk passes the service's 409 bulk_rejected on WITH its per-row results", async () => {
    const services = fakeServices({ [`POST ${INVOICE}/api/v1/invoices/bulk`]: { status: 409, json: rejected } });
    vi.stubGlobal("fetch", services.fetch);

    const response = await bulk(await request("/api/invoices/bulk", { method: "POST", body: { action: "issue", ids: [7, 8, 9] } }));

    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(rejected);
    const [call] = services.calls;
    expect(JSON.parse(call?.body ?? "null")).toEqual({ action: "issue", ids: [7, 8, 9] });
    expect(call?.headers.get("authorization")).toBe(`Bearer ${SERVICE_TOKEN}`);
  });

  it("POST /api/invoices/bulk answers 200 with each row when every one succeeded", async () => {
    const services = fakeServices({
      [`POST ${INVOICE}/api/v1/invoices/bulk`]: { json: { action: "void", succeeded: 0, failed: 0, results: [] } },
    });
    vi.stubGlobal("fetch", services.fetch);
    const response = await bulk(
      await request("/api/invoices/bulk", { method: "POST", body: { action: "void", ids: [3], reason: "Duplicate" } }),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(services.calls[0]?.body ?? "null")).toEqual({ action: "void", ids: [3], reason: "Duplicate" });
  });

  it("POST /api/invoices/bulk is refused without the app's Origin and for a bad action, never reaching the service", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const foreign = await bulk(
      await request("/api/invoices/bulk", { method: "POST", origin: "https://evil.example", body: { action: "issue", ids: [1] } }),
    );
    expect(foreign.status).toBe(403);
    const bad = await bulk(await request("/api/invoices/bulk", { method: "POST", body: { action: "delete", ids: [] } }));
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { detail: { field: string }[] };
    expect(body.detail.map((issue) => issue.field).sort()).toEqual(["action", "ids"]);
    expect(services.calls).toHaveLength(0);
  });

  it("POST /api/invoices/preview passes the service's 422 on with the exact line field", async () => {
    const detail = [
      {
        loc: ["body", "lines", 0, "unit_price"],
        field: "lines.0.unit_price",
        msg: "Decimal input should have no more than 2 decimal places",
        type: "decimal_max_places",
      },
    ];
    const services = fakeServices({
      [`POST ${INVOICE}/api/v1/invoices/preview`]: { status: 422, json: { detail, code: "validation_error" } },
    });
    vi.stubGlobal("fetch", services.fetch);
    const body = { customer_id: 1, lines: [{ description: "Cable", quantity: "1", unit_price: "1.234" }] };

    const response = await preview(await request("/api/invoices/preview", { method: "POST", body }));

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ detail, code: "validation_error" });
    expect(JSON.parse(services.calls[0]?.body ?? "null")).toEqual(body);
  });

  it("POST /api/invoices/preview answers the service's totals", async () => {
    const totals = {
      currency: "EUR",
      lines: [{ position: 1, net_amount: "5.97", tax_amount: "1.19", total: "7.16" }],
      subtotal: "5.97",
      tax_total: "1.19",
      total: "7.16",
    };
    vi.stubGlobal("fetch", fakeServices({ [`POST ${INVOICE}/api/v1/invoices/preview`]: { json: totals } }).fetch);
    const response = await preview(
      await request("/api/invoices/preview", {
        method: "POST",
        body: { currency: "EUR", lines: [{ description: "Cable", quantity: "3", unit_price: "1.99", tax_rate: "20" }] },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(totals);
  });

  it("GET /api/invoices/{id}/pdf streams the service's PDF with its status, content type and disposition", async () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x33]); // %PDF-1.3
    const calls: string[] = [];
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push(`${String(input)} ${new Headers(init?.headers).get("authorization")}`);
      return new Response(pdf, {
        status: 200,
        headers: { "content-type": "application/pdf", "content-disposition": 'inline; filename="INV-2026-000008.pdf"' },
      });
    });

    const inline = await getPdf(await request("/api/invoices/8/pdf"), at("8"));
    expect(inline.status).toBe(200);
    expect(inline.headers.get("content-type")).toBe("application/pdf");
    expect(inline.headers.get("content-disposition")).toBe('inline; filename="INV-2026-000008.pdf"');
    expect(new Uint8Array(await inline.arrayBuffer())).toEqual(pdf);
    expect(calls).toEqual([`${INVOICE}/api/v1/invoices/8/pdf Bearer ${SERVICE_TOKEN}`]);

    const download = await getPdf(await request("/api/invoices/8/pdf?download=1"), at("8"));
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="INV-2026-000008.pdf"');
  });

  it("GET /api/invoices/{id}/pdf passes a 404 on as {detail, code}, a dead service as 503, a bad id as 422", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`GET ${INVOICE}/api/v1/invoices/99/pdf`]: { status: 404, json: { detail: "Invoice 99 not found", code: "not_found" } },
      }).fetch,
    );
    const missing = await getPdf(await request("/api/invoices/99/pdf"), at("99"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Invoice 99 not found", code: "not_found" });

    vi.stubGlobal("fetch", fakeServices({ [`GET ${INVOICE}/api/v1/invoices/5/pdf`]: { networkError: "ECONNREFUSED" } }).fetch);
    const down = await getPdf(await request("/api/invoices/5/pdf"), at("5"));
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: "service_unavailable" });

    const bad = await getPdf(await request("/api/invoices/abc/pdf"), at("abc"));
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ code: "validation_error", detail: [{ loc: ["path", "id"], type: "int_parsing" }] });
  });

  it("GET /api/invoices refuses an unknown parameter and a reversed date range before asking the service", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const unknown = await listInvoices(await request("/api/invoices?stauts=paid"));
    expect(unknown.status).toBe(422);
    const reversed = await listInvoices(await request("/api/invoices?due_from=2026-12-01&due_to=2026-11-01"));
    expect(reversed.status).toBe(422);
    expect(((await reversed.json()) as { detail: { field: string }[] }).detail[0]?.field).toBe("due_from");
    expect(services.calls).toHaveLength(0);
  });

  it("GET /api/invoices sends overdue as the service's boolean and answers the composed page", async () => {
    const services = fakeServices({ [`GET ${INVOICE}/api/v1/invoices`]: { json: page([]) } });
    vi.stubGlobal("fetch", services.fetch);
    const response = await listInvoices(await request("/api/invoices?overdue=true&currency=eur&total_min=10.5"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ items: [], partial: false, filters: { customer: null, employee: null } });
    const params = services.calls[0]?.url.searchParams;
    expect(params?.get("overdue")).toBe("true");
    expect(params?.get("currency")).toBe("EUR");
    expect(params?.get("total_min")).toBe("10.5");
  });

  it("GET /api/invoices/{id} passes the service's 404 on", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`GET ${INVOICE}/api/v1/invoices/12`]: { status: 404, json: { detail: "Invoice 12 not found", code: "not_found" } },
      }).fetch,
    );
    const response = await getInvoice(await request("/api/invoices/12"), at("12"));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Invoice 12 not found", code: "not_found" });
  });

  it("POST /api/invoices/{id}/payments forwards the idempotency key as the service's Idempotency-Key header", async () => {
    const payment = {
      id: 1,
      invoice_id: 6,
      kind: "payment",
      currency: "EUR",
      amount: "100.00",
      paid_at: "2026-11-30T08:00:00Z",
      method: "bank_transfer",
      reference: "REF-1",
      credit_note_id: null,
      created_by: "accounting@tb-erp.example",
      created_at: "2026-11-30T08:00:00Z",
    };
    let seen: RecordedCall | undefined;
    vi.stubGlobal(
      "fetch",
      fakeServices({
        [`POST ${INVOICE}/api/v1/invoices/6/payments`]: (call) => {
          seen = call;
          return { status: 201, json: payment };
        },
      }).fetch,
    );
    const response = await recordPayment(
      await request("/api/invoices/6/payments", {
        method: "POST",
        body: { amount: "100.00", method: "bank_transfer", reference: "REF-1", idempotency_key: "key-123" },
      }),
      at("6"),
    );
    expect(response.status).toBe(201);
    expect(seen?.headers.get("idempotency-key")).toBe("key-123");
    expect(seen?.headers.get("authorization")).toBe(`Bearer ${SERVICE_TOKEN}`);
    expect(JSON.parse(seen?.body ?? "null")).toEqual({ amount: "100.00", method: "bank_transfer", reference: "REF-1" });
  });

  it("POST /api/customers keeps the existing customer of a 409 duplicate_tax_id", async () => {
    const conflict = {
      detail: "Customer 3 (Initech GmbH) already has tax id DE123456789",
      code: "duplicate_tax_id",
      existing_customer: { id: 3, name: "Initech GmbH" },
    };
    vi.stubGlobal("fetch", fakeServices({ [`POST ${INVOICE}/api/v1/customers`]: { status: 409, json: conflict } }).fetch);
    const response = await createCustomer(
      await request("/api/customers", { method: "POST", body: { name: "Initech", tax_id: "DE123456789" } }),
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(conflict);
  });
});
