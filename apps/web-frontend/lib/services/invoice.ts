import "server-only";
import type { components, operations } from "@repo/api-types/invoice";
import { z } from "zod";
import {
  INVOICE_STATUS_VALUES,
  PAYMENT_METHOD_VALUES,
  type BulkBody,
  type CreditNoteBody,
  type CustomerCreateBody,
  type CustomerUpdateBody,
  type InvoiceCreateBody,
  type InvoicePreviewBody,
  type InvoiceUpdateBody,
  type PaymentBody,
} from "../invoices-query";
import type { Conforms, Same } from "./contract";
import { callService, streamService, type ServiceContext } from "./http";
import { pageSchema, type Page } from "./page";

type Schemas = components["schemas"];

true satisfies Same<(typeof INVOICE_STATUS_VALUES)[number], Schemas["InvoiceStatus"]>;
true satisfies Same<(typeof PAYMENT_METHOD_VALUES)[number], Schemas["PaymentMethod"]>;

export const customerSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string().nullable(),
  billing_address: z.string().nullable(),
  tax_id: z.string().nullable(),
  currency: z.string(),
  payment_terms_days: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Customer = z.infer<typeof customerSchema>;
true satisfies Conforms<Customer, Schemas["CustomerPublic"]>;

export const lineSchema = z.object({
  id: z.number().int(),
  position: z.number().int(),
  description: z.string(),
  quantity: z.string(),
  unit_price: z.string(),
  discount_percent: z.string(),
  tax_rate: z.string(),
  net_amount: z.string(),
  tax_amount: z.string(),
  total: z.string(),
});
export type InvoiceLine = z.infer<typeof lineSchema>;
true satisfies Conforms<InvoiceLine, Schemas["LinePublic"]>;

export const paymentSchema = z.object({
  id: z.number().int(),
  invoice_id: z.number().int(),
  kind: z.enum(["payment", "refund"]),
  currency: z.string(),
  amount: z.string(),
  paid_at: z.string(),
  method: z.enum(PAYMENT_METHOD_VALUES),
  reference: z.string().nullable(),
  credit_note_id: z.number().int().nullable(),
  created_by: z.string(),
  created_at: z.string(),
});
export type Payment = z.infer<typeof paymentSchema>;
true satisfies Conforms<Payment, Schemas["PaymentPublic"]>;

export const creditNoteLineSchema = z.object({
  id: z.number().int(),
  line_id: z.number().int().nullable(),
  description: z.string(),
  quantity: z.string().nullable(),
  unit_price: z.string().nullable(),
  tax_rate: z.string(),
  net_amount: z.string(),
  tax_amount: z.string(),
  total: z.string(),
});
true satisfies Conforms<z.infer<typeof creditNoteLineSchema>, Schemas["CreditNoteLinePublic"]>;

export const creditNoteSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  invoice_id: z.number().int(),
  currency: z.string(),
  issue_date: z.string(),
  reason: z.string(),
  lines: z.array(creditNoteLineSchema),
  subtotal: z.string(),
  tax_total: z.string(),
  total: z.string(),
  refund_amount: z.string(),
  created_at: z.string(),
});
export type CreditNote = z.infer<typeof creditNoteSchema>;
true satisfies Conforms<CreditNote, Schemas["CreditNotePublic"]>;

export const invoiceSchema = z.object({
  id: z.number().int(),
  number: z.string().nullable(),
  customer_id: z.number().int(),
  customer_name: z.string(),
  status: z.enum(INVOICE_STATUS_VALUES),
  is_overdue: z.boolean(),
  issue_date: z.string(),
  due_date: z.string(),
  currency: z.string(),
  notes: z.string().nullable(),
  employee_id: z.number().int().nullable(),
  lines: z.array(lineSchema),
  subtotal: z.string(),
  tax_total: z.string(),
  total: z.string(),
  amount_paid: z.string(),
  credited_total: z.string(),
  balance_due: z.string(),
  payments: z.array(paymentSchema),
  credit_notes: z.array(creditNoteSchema),
  issued_at: z.string().nullable(),
  voided_at: z.string().nullable(),
  void_reason: z.string().nullable(),
  created_by: z.string(),
  updated_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Invoice = z.infer<typeof invoiceSchema>;
true satisfies Conforms<Invoice, Schemas["InvoicePublic"]>;

/** `POST /invoices/preview`: the amounts the service would store, nothing saved. */
export const previewLineSchema = z.object({
  position: z.number().int(),
  net_amount: z.string(),
  tax_amount: z.string(),
  total: z.string(),
});
true satisfies Conforms<z.infer<typeof previewLineSchema>, Schemas["LinePreview"]>;
export const invoicePreviewSchema = z.object({
  currency: z.string(),
  lines: z.array(previewLineSchema),
  subtotal: z.string(),
  tax_total: z.string(),
  total: z.string(),
});
export type InvoicePreview = z.infer<typeof invoicePreviewSchema>;
true satisfies Conforms<InvoicePreview, Schemas["InvoicePreview"]>;

/** `POST /invoices/bulk`, all-or-nothing: 200 with every row done (a 409 carries the refusals). */
const bulkRowDoneSchema = z.object({ id: z.number().int(), ok: z.literal(true), item: invoiceSchema });
true satisfies Conforms<z.infer<typeof bulkRowDoneSchema>, Schemas["BulkRowDone_InvoicePublic_"]>;
export const bulkResultSchema = z.object({
  action: z.string(),
  succeeded: z.number().int(),
  failed: z.literal(0),
  results: z.array(bulkRowDoneSchema),
});
export type BulkResult = z.infer<typeof bulkResultSchema>;
true satisfies Conforms<BulkResult, Schemas["BulkResult_InvoicePublic_"]>;
/** A refused row of a 409 `bulk_rejected` (the body is passed on as the service sent it). */
export type BulkRowFailed = Schemas["BulkRowFailed"];

export const agingRowSchema = z.object({
  currency: z.string(),
  current: z.string(),
  days_1_30: z.string(),
  days_31_60: z.string(),
  days_61_90: z.string(),
  days_90_plus: z.string(),
  total: z.string(),
});
export const agingSchema = z.object({ as_of: z.string(), items: z.array(agingRowSchema) });
export type Aging = z.infer<typeof agingSchema>;
true satisfies Conforms<Aging, Schemas["Aging"]>;
true satisfies Conforms<z.infer<typeof agingRowSchema>, Schemas["AgingRow"]>;

const invoicePageSchema = pageSchema(invoiceSchema);
const customerPageSchema = pageSchema(customerSchema);

/** The filters and paging of `GET /invoices`, as the service names them. */
export type InvoiceListQuery = NonNullable<operations["list_invoices_api_v1_invoices_get"]["parameters"]["query"]>;
export type CustomerListQuery = NonNullable<
  operations["list_customers_api_v1_customers_get"]["parameters"]["query"]
>;

const path = (id: number) => `/api/v1/invoices/${id}`;

export const invoiceService = {
  /** `GET /invoices`: one page; an employee-only caller gets the invoices they are responsible for. */
  list(query: InvoiceListQuery, context: ServiceContext): Promise<Page<Invoice>> {
    return callService("invoice", "/api/v1/invoices", context, { query, schema: invoicePageSchema });
  },

  get(id: number, context: ServiceContext): Promise<Invoice> {
    return callService("invoice", path(id), context, { schema: invoiceSchema });
  },

  create(body: InvoiceCreateBody, context: ServiceContext): Promise<Invoice> {
    return callService("invoice", "/api/v1/invoices", context, { method: "POST", body, schema: invoiceSchema });
  },

  /** Drafts only (409 `invoice_not_draft`); `lines` replaces every line. */
  update(id: number, body: InvoiceUpdateBody, context: ServiceContext): Promise<Invoice> {
    return callService("invoice", path(id), context, { method: "PATCH", body, schema: invoiceSchema });
  },

  async remove(id: number, context: ServiceContext): Promise<void> {
    await callService("invoice", path(id), context, { method: "DELETE", schema: null });
  },

  /** The totals of an invoice body as the service would compute them; nothing is saved. */
  preview(body: InvoicePreviewBody, context: ServiceContext): Promise<InvoicePreview> {
    return callService("invoice", "/api/v1/invoices/preview", context, {
      method: "POST",
      body,
      schema: invoicePreviewSchema,
    });
  },

  issue(id: number, context: ServiceContext): Promise<Invoice> {
    return callService("invoice", `${path(id)}/issue`, context, { method: "POST", schema: invoiceSchema });
  },

  void(id: number, reason: string, context: ServiceContext): Promise<Invoice> {
    return callService("invoice", `${path(id)}/void`, context, {
      method: "POST",
      body: { reason },
      schema: invoiceSchema,
    });
  },

  /** All-or-nothing; a 409 `bulk_rejected` is thrown with its per-row `results` in the body. */
  bulk(body: BulkBody, context: ServiceContext): Promise<BulkResult> {
    return callService("invoice", "/api/v1/invoices/bulk", context, { method: "POST", body, schema: bulkResultSchema });
  },

  /** A payment (partial ones too); the same Idempotency-Key again records it once. */
  recordPayment(id: number, { idempotency_key, ...body }: PaymentBody, context: ServiceContext): Promise<Payment> {
    return callService("invoice", `${path(id)}/payments`, context, {
      method: "POST",
      body,
      headers: idempotency_key ? { "Idempotency-Key": idempotency_key } : {},
      schema: paymentSchema,
    });
  },

  creditNote(id: number, body: CreditNoteBody, context: ServiceContext): Promise<CreditNote> {
    return callService("invoice", `${path(id)}/credit-notes`, context, {
      method: "POST",
      body,
      schema: creditNoteSchema,
    });
  },

  aging(asOf: string | undefined, context: ServiceContext): Promise<Aging> {
    return callService("invoice", "/api/v1/invoices/aging", context, { query: { as_of: asOf }, schema: agingSchema });
  },

  /**
   * `GET /invoices/{id}/pdf`: the service's answer itself, to be streamed on (its body, content
   * type and disposition). A 4xx throws ServiceHttpError with its `{detail, code}`; no answer or
   * a 5xx throws ServiceUnavailableError, as every other call.
   */
  pdf(id: number, context: ServiceContext): Promise<Response> {
    return streamService("invoice", `${path(id)}/pdf`, context, { headers: { accept: "application/pdf" } });
  },
};

export const customerService = {
  list(query: CustomerListQuery, context: ServiceContext): Promise<Page<Customer>> {
    return callService("invoice", "/api/v1/customers", context, { query, schema: customerPageSchema });
  },

  get(id: number, context: ServiceContext): Promise<Customer> {
    return callService("invoice", `/api/v1/customers/${id}`, context, { schema: customerSchema });
  },

  /** 409 `duplicate_tax_id` keeps `existing_customer: {id, name}`. */
  create(body: CustomerCreateBody, context: ServiceContext): Promise<Customer> {
    return callService("invoice", "/api/v1/customers", context, { method: "POST", body, schema: customerSchema });
  },

  update(id: number, body: CustomerUpdateBody, context: ServiceContext): Promise<Customer> {
    return callService("invoice", `/api/v1/customers/${id}`, context, {
      method: "PATCH",
      body,
      schema: customerSchema,
    });
  },

  /** 409 `customer_has_invoices` when it has any. */
  async remove(id: number, context: ServiceContext): Promise<void> {
    await callService("invoice", `/api/v1/customers/${id}`, context, { method: "DELETE", schema: null });
  },
};
