import { describe, expect, it } from "vitest";
import { sameAmount, sumDecimals, taxByRate } from "@/components/invoices/decimal";
import { bulkRows, existingCustomer } from "@/lib/client/invoices-api";
import {
  agingQuerySchema,
  bulkSchema,
  customersQuerySchema,
  invoiceCreateSchema,
  invoicesApiParams,
  invoicesQuerySchema,
  invoicesUrlSchema,
  paymentSchema,
} from "@/lib/invoices-query";

describe("invoicesQuerySchema (GET /api/invoices)", () => {
  it("takes every filter of the invoice service, with defaults for the page", () => {
    const parsed = invoicesQuerySchema.parse({
      q: "north",
      status: "overdue",
      overdue: "false",
      customer_id: "3",
      employee_id: "5",
      issued_from: "2026-01-01",
      issued_to: "2026-06-30",
      due_from: "2026-02-01",
      due_to: "2026-07-31",
      currency: "usd",
      number: "INV-2026",
      total_min: "100",
      total_max: "2500.50",
      sort: "-due_date",
    });
    expect(parsed).toEqual({
      q: "north",
      status: "overdue",
      overdue: false,
      customer_id: 3,
      employee_id: 5,
      issued_from: "2026-01-01",
      issued_to: "2026-06-30",
      due_from: "2026-02-01",
      due_to: "2026-07-31",
      currency: "USD",
      number: "INV-2026",
      total_min: "100",
      total_max: "2500.50",
      sort: "-due_date",
      limit: 20,
      offset: 0,
    });
  });

  it("refuses unknown parameters, bad values and reversed ranges, naming each", () => {
    const fields = (input: Record<string, string>) => {
      const result = invoicesQuerySchema.safeParse(input);
      expect(result.success).toBe(false);
      return result.error?.issues.map((issue) => (issue.code === "unrecognized_keys" ? issue.keys.join() : issue.path.join(".")));
    };
    expect(fields({ stauts: "paid" })).toEqual(["stauts"]);
    expect(fields({ status: "lost" })).toEqual(["status"]);
    expect(fields({ sort: "colour" })).toEqual(["sort"]);
    expect(fields({ issued_from: "2026-13-01" })).toEqual(["issued_from"]);
    expect(fields({ total_min: "1.234" })).toEqual(["total_min"]);
    expect(fields({ currency: "EURO" })).toEqual(["currency"]);
    expect(fields({ limit: "500" })).toEqual(["limit"]);
    expect(fields({ issued_from: "2026-05-01", issued_to: "2026-04-01" })).toEqual(["issued_from"]);
    expect(fields({ total_min: "900", total_max: "100" })).toEqual(["total_min"]);
  });

  it("reads a hand-edited URL leniently: a bad value falls back, the columns stay out of the BFF call", () => {
    const url = invoicesUrlSchema.parse({
      status: "lost",
      sort: "-total",
      limit: "9999",
      offset: "-3",
      columns: "number,total",
      customer_id: "x",
      due_to: "2026-11-30",
    });
    expect(url).toMatchObject({ status: undefined, sort: "-total", limit: 20, offset: 0, columns: "number,total" });
    expect(invoicesApiParams(url)).not.toHaveProperty("columns");
    expect(invoicesApiParams(url)).toMatchObject({ due_to: "2026-11-30", sort: "-total" });
  });
});

describe("the other BFF schemas", () => {
  it("customers: search, sort by the service's fields, paging", () => {
    expect(customersQuerySchema.parse({ q: "acme", sort: "-created_at", offset: "20" })).toEqual({
      q: "acme",
      sort: "-created_at",
      limit: 20,
      offset: 20,
    });
    expect(customersQuerySchema.safeParse({ sort: "tax_id" }).success).toBe(false);
  });

  it("aging: an ISO date or nothing", () => {
    expect(agingQuerySchema.parse({})).toEqual({});
    expect(agingQuerySchema.parse({ as_of: "2026-12-31" })).toEqual({ as_of: "2026-12-31" });
    expect(agingQuerySchema.safeParse({ as_of: "31/12/2026" }).success).toBe(false);
  });

  it("bulk: issue or void, 1 to 200 ids", () => {
    expect(bulkSchema.parse({ action: "void", ids: [1, 2], reason: "Duplicate" })).toEqual({
      action: "void",
      ids: [1, 2],
      reason: "Duplicate",
    });
    expect(bulkSchema.safeParse({ action: "issue", ids: [] }).success).toBe(false);
    expect(bulkSchema.safeParse({ action: "issue", ids: Array.from({ length: 201 }, (_, i) => i + 1) }).success).toBe(false);
    expect(bulkSchema.safeParse({ action: "pay", ids: [1] }).success).toBe(false);
  });

  it("invoice bodies: shapes only, the service judges the values (its 422 names the line field)", () => {
    const body = { customer_id: 1, lines: [{ description: "", quantity: "0", unit_price: "1.234" }] };
    expect(invoiceCreateSchema.parse(body)).toEqual(body);
    expect(invoiceCreateSchema.safeParse({ customer_id: 1, colour: "red" }).success).toBe(false);
  });

  it("payments: an idempotency key of printable ASCII", () => {
    expect(paymentSchema.safeParse({ amount: "10", method: "cash", idempotency_key: "a-b-c" }).success).toBe(true);
    expect(paymentSchema.safeParse({ amount: "10", method: "cash", idempotency_key: "bad\nkey" }).success).toBe(false);
  });
});

describe("reading refusals in the browser", () => {
  const failure = (body: unknown) => ({ status: 409, message: "x", code: null, fieldErrors: {}, body });

  it("lists the per-row results of a 409 bulk_rejected", () => {
    const rows = bulkRows(
      failure({
        code: "bulk_rejected",
        results: [
          { id: 7, ok: false, status: 409, code: "invoice_not_draft", detail: "not a draft" },
          { id: 8, ok: true, item: null },
          "junk",
        ],
      }),
    );
    expect(rows.map((row) => [row.id, row.ok])).toEqual([
      [7, false],
      [8, true],
    ]);
    expect(bulkRows(failure(null))).toEqual([]);
  });

  it("finds the existing customer of a 409 duplicate_tax_id", () => {
    expect(existingCustomer(failure({ existing_customer: { id: 3, name: "Initech GmbH" } }))).toEqual({
      id: 3,
      name: "Initech GmbH",
    });
    expect(existingCustomer(failure({ detail: "x" }))).toBeNull();
  });
});

describe("exact decimal sums (tax by rate)", () => {
  it("adds the services' decimal strings without floats", () => {
    expect(sumDecimals(["0.10", "0.20"])).toBe("0.30");
    expect(sumDecimals(["346.80", "17.36", "-4.16"])).toBe("360.00");
    expect(sumDecimals(["999999999999.99", "0.01"])).toBe("1000000000000.00");
    expect(sumDecimals(["-1.5", "0.25"])).toBe("-1.25");
    expect(sameAmount("10.5", "10.50")).toBe(true);
    expect(sameAmount("10.5", "10.51")).toBe(false);
  });

  it("groups lines by tax rate", () => {
    expect(
      taxByRate([
        { tax_rate: "19.00", net_amount: "750.00", tax_amount: "142.50" },
        { tax_rate: "7.00", net_amount: "248.00", tax_amount: "17.36" },
        { tax_rate: "19", net_amount: "0.10", tax_amount: "0.02" },
      ]),
    ).toEqual([
      { rate: "7", net: "248.00", tax: "17.36" },
      { rate: "19", net: "750.10", tax: "142.52" },
    ]);
  });
});
