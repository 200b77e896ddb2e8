import { z } from "zod";
import { idSchema } from "./api/path";

/**
 * The invoicing screens' URL and BFF parameters — the invoice service's own names — read by the
 * BFF routes (strictly: an unknown parameter is a 422) and by the pages' URLs (leniently, through
 * `useUrlQuery`). Shared by server and browser: nothing here is secret.
 */

export const INVOICE_STATUS_VALUES = ["draft", "issued", "partially_paid", "paid", "void"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUS_VALUES)[number];
/** `status` of the list: a stored status, or the derived `overdue`. */
export const STATUS_FILTER_VALUES = [...INVOICE_STATUS_VALUES, "overdue"] as const;
export const INVOICE_SORT_VALUES = ["issue_date", "due_date", "number", "total", "created_at", "id"] as const;
export const CUSTOMER_SORT_VALUES = ["name", "created_at", "id"] as const;
export const PAYMENT_METHOD_VALUES = ["bank_transfer", "card", "cash", "other"] as const;
export type PaymentMethod = (typeof PAYMENT_METHOD_VALUES)[number];

export const INVOICE_STATUS_LABELS: Record<(typeof STATUS_FILTER_VALUES)[number], string> = {
  draft: "Draft",
  issued: "Issued",
  partially_paid: "Partly paid",
  paid: "Paid",
  void: "Void",
  overdue: "Overdue",
};

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = {
  bank_transfer: "Bank transfer",
  card: "Card",
  cash: "Cash",
  other: "Other",
};

/** Currencies offered first in pickers (the service accepts any ISO 4217 code it knows). */
export const COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY"] as const;

export const DEFAULT_PAGE_SIZE = 20;

const text = (max: number) => z.string().max(max).regex(/^[^\0]*$/, "No NUL characters");
export const isoDate = z.iso.date("Use a date as YYYY-MM-DD");
/** A non-negative amount as text: digits and at most one point with 2 decimals. */
export const amountText = z
  .string()
  .regex(/^(?:[0-9]{1,12}(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$/, "Use digits with at most 2 decimals, e.g. 1250.50");
const currencyCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "Use a 3-letter ISO currency code, e.g. EUR")
  .transform((value) => value.toUpperCase());

function sortOf(values: readonly string[]) {
  return z
    .string()
    .refine(
      (value) => values.includes(value.replace(/^-/, "")),
      `Sort by one of: ${values.join(", ")} (prefix - for descending)`,
    );
}

const paging = {
  limit: z.coerce.number().int().min(1).max(200).default(DEFAULT_PAGE_SIZE),
  offset: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
  cursor: z.string().max(500).optional(),
};

/** `GET /api/invoices`: every filter `GET /api/v1/invoices` takes, its sort and paging. */
export const invoicesQuerySchema = z
  .strictObject({
    q: text(200).optional(),
    status: z.enum(STATUS_FILTER_VALUES).optional(),
    overdue: z
      .enum(["true", "false"])
      .transform((value) => value === "true")
      .optional(),
    customer_id: idSchema.optional(),
    employee_id: idSchema.optional(),
    issued_from: isoDate.optional(),
    issued_to: isoDate.optional(),
    due_from: isoDate.optional(),
    due_to: isoDate.optional(),
    currency: currencyCode.optional(),
    number: text(50).optional(),
    total_min: amountText.optional(),
    total_max: amountText.optional(),
    ...paging,
    sort: sortOf(INVOICE_SORT_VALUES).optional(),
  })
  .superRefine((query, context) => {
    for (const [from, to] of [
      ["issued_from", "issued_to"],
      ["due_from", "due_to"],
    ] as const) {
      const start = query[from];
      const end = query[to];
      if (start && end && start > end) {
        context.addIssue({ code: "custom", path: [from], message: `${from} is after ${to}` });
      }
    }
    if (query.total_min && query.total_max && Number(query.total_min) > Number(query.total_max)) {
      context.addIssue({ code: "custom", path: ["total_min"], message: "total_min is above total_max" });
    }
  });
export type InvoicesQuery = z.output<typeof invoicesQuerySchema>;

/** The page's URL: the BFF's parameters plus the visible `columns`. */
export const invoicesUrlSchema = z.object({
  q: text(200).optional().catch(undefined),
  status: z.enum(STATUS_FILTER_VALUES).optional().catch(undefined),
  overdue: z.enum(["true", "false"]).optional().catch(undefined),
  customer_id: idSchema.optional().catch(undefined),
  employee_id: idSchema.optional().catch(undefined),
  issued_from: isoDate.optional().catch(undefined),
  issued_to: isoDate.optional().catch(undefined),
  due_from: isoDate.optional().catch(undefined),
  due_to: isoDate.optional().catch(undefined),
  currency: currencyCode.optional().catch(undefined),
  number: text(50).optional().catch(undefined),
  total_min: amountText.optional().catch(undefined),
  total_max: amountText.optional().catch(undefined),
  limit: paging.limit.catch(DEFAULT_PAGE_SIZE),
  offset: paging.offset.catch(0),
  sort: sortOf(INVOICE_SORT_VALUES).optional().catch(undefined),
  columns: z.string().max(500).optional().catch(undefined),
});
export type InvoicesUrl = z.output<typeof invoicesUrlSchema>;

/** What of the page's URL goes to the BFF (everything but the presentation). */
export function invoicesApiParams(url: InvoicesUrl): Omit<InvoicesUrl, "columns"> {
  const { columns: _columns, ...rest } = url;
  return rest;
}

/** `GET /api/customers`. */
export const customersQuerySchema = z.strictObject({
  q: text(200).optional(),
  ...paging,
  sort: sortOf(CUSTOMER_SORT_VALUES).optional(),
});
export type CustomersQuery = z.output<typeof customersQuerySchema>;

export const customersUrlSchema = z.object({
  q: text(200).optional().catch(undefined),
  limit: paging.limit.catch(DEFAULT_PAGE_SIZE),
  offset: paging.offset.catch(0),
  sort: sortOf(CUSTOMER_SORT_VALUES).optional().catch(undefined),
  columns: z.string().max(500).optional().catch(undefined),
});

/** `GET /api/invoices/employees?q=`: people to pick as the responsible employee. */
export const employeeSearchSchema = z.strictObject({
  q: text(200).optional(),
  ids: z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,49}$/, "Comma-separated ids, at most 50")
    .optional(),
});

/** `/invoices/aging?as_of=`: the day the report is computed for (today when absent). */
export const agingQuerySchema = z.strictObject({ as_of: isoDate.optional() });

// ---- Bodies the BFF takes. Shapes only: the service checks the values and answers its own 422,
// ---- whose field names (`lines.0.unit_price`) the forms show on their fields.

const decimalInput = z.union([z.string().max(40), z.number()]);
const nullableText = z.string().max(5000).nullable().optional();

export const lineInputSchema = z.strictObject({
  description: z.string().max(5000),
  quantity: decimalInput,
  unit_price: decimalInput,
  discount_percent: decimalInput.optional(),
  tax_rate: decimalInput.optional(),
});

const invoiceFields = {
  issue_date: z.string().max(40).nullable().optional(),
  due_date: z.string().max(40).nullable().optional(),
  currency: z.string().max(10).nullable().optional(),
  notes: nullableText,
  employee_id: z.number().int().nullable().optional(),
};

/** `POST /api/invoices` and `POST /api/invoices/preview`: the service's InvoiceCreate. */
export const invoiceCreateSchema = z.strictObject({
  customer_id: z.number().int(),
  ...invoiceFields,
  lines: z.array(lineInputSchema).max(500).optional(),
});
export type InvoiceCreateBody = z.output<typeof invoiceCreateSchema>;

/** `POST /api/invoices/preview`: the create body; the customer may be left out when the currency is given. */
export const invoicePreviewSchema = invoiceCreateSchema.extend({ customer_id: z.number().int().nullable().optional() });
export type InvoicePreviewBody = z.output<typeof invoicePreviewSchema>;

/** `PATCH /api/invoices/{id}`: the service's InvoiceUpdate (lines given replace them all). */
export const invoiceUpdateSchema = z.strictObject({
  customer_id: z.number().int().nullable().optional(),
  ...invoiceFields,
  lines: z.array(lineInputSchema).max(500).nullable().optional(),
});
export type InvoiceUpdateBody = z.output<typeof invoiceUpdateSchema>;

export const BULK_ACTIONS = ["issue", "void"] as const;
export const bulkSchema = z.strictObject({
  action: z.enum(BULK_ACTIONS),
  ids: z.array(z.number().int().min(1)).min(1).max(200, "At most 200 invoices at once"),
  reason: z.string().max(500).optional(),
});
export type BulkBody = z.output<typeof bulkSchema>;

export const voidSchema = z.strictObject({ reason: z.string().max(5000) });

export const paymentSchema = z.strictObject({
  amount: decimalInput,
  paid_at: z.string().max(40).nullable().optional(),
  method: z.string().max(40),
  reference: z.string().max(5000).nullable().optional(),
  /** Sent to the service as the Idempotency-Key header: a retried submit records one payment. */
  idempotency_key: z
    .string()
    .regex(/^[\x21-\x7e][\x20-\x7e]{0,199}$/, "Printable ASCII, at most 200 characters")
    .optional(),
});
export type PaymentBody = z.output<typeof paymentSchema>;

export const creditNoteSchema = z.strictObject({
  reason: z.string().max(5000),
  lines: z
    .array(z.strictObject({ line_id: z.number().int(), quantity: decimalInput.nullable().optional() }))
    .max(500)
    .nullable()
    .optional(),
  amount: decimalInput.nullable().optional(),
  tax_rate: decimalInput.nullable().optional(),
});
export type CreditNoteBody = z.output<typeof creditNoteSchema>;

const customerFields = {
  email: z.string().max(1000).nullable().optional(),
  billing_address: z.string().max(5000).nullable().optional(),
  tax_id: z.string().max(1000).nullable().optional(),
};
export const customerCreateSchema = z.strictObject({
  name: z.string().max(1000),
  ...customerFields,
  currency: z.string().max(10).optional(),
  payment_terms_days: z.number().int().optional(),
});
export type CustomerCreateBody = z.output<typeof customerCreateSchema>;
export const customerUpdateSchema = z.strictObject({
  name: z.string().max(1000).nullable().optional(),
  ...customerFields,
  currency: z.string().max(10).nullable().optional(),
  payment_terms_days: z.number().int().nullable().optional(),
});
export type CustomerUpdateBody = z.output<typeof customerUpdateSchema>;

/** Today as YYYY-MM-DD in UTC, as the services count days. */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
