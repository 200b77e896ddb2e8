// Types only from the server modules: erased from the browser bundle.
import type {
  InvoiceRow,
  InvoicesWithEmployeesPage,
  InvoiceWithEmployee,
  Named,
  Responsible,
} from "@/lib/compose/invoices";
import type {
  BulkBody,
  CreditNoteBody,
  CustomerCreateBody,
  CustomerUpdateBody,
  InvoiceCreateBody,
  InvoicePreviewBody,
  InvoiceUpdateBody,
  InvoicesUrl,
  PaymentBody,
} from "@/lib/invoices-query";
import { invoicesApiParams } from "@/lib/invoices-query";
import type {
  Aging,
  BulkResult,
  CreditNote,
  Customer,
  Invoice,
  InvoicePreview,
  Payment,
} from "@/lib/services/invoice";
import type { Page } from "@/lib/services/page";
import { apiGet, apiSend, type ApiResult, type FetchFailure } from "./api";

/** The browser's side of the invoicing BFF routes: the shapes they answer. */

export type {
  Aging,
  BulkResult,
  CreditNote,
  Customer,
  FetchFailure,
  Invoice,
  InvoicePreview,
  InvoiceRow,
  InvoicesWithEmployeesPage,
  InvoiceWithEmployee,
  Named,
  Payment,
  Responsible,
};

export function fetchInvoices(url: InvoicesUrl, signal: AbortSignal): Promise<ApiResult<InvoicesWithEmployeesPage>> {
  return apiGet<InvoicesWithEmployeesPage>("/api/invoices", invoicesApiParams(url), signal);
}

export function fetchCustomers(
  params: { q?: string; sort?: string; limit?: number; offset?: number },
  signal?: AbortSignal,
): Promise<ApiResult<Page<Customer>>> {
  return apiGet<Page<Customer>>("/api/customers", params, signal);
}

export function searchEmployees(
  params: { q?: string; ids?: string },
  signal?: AbortSignal,
): Promise<ApiResult<{ items: Named[] }>> {
  return apiGet<{ items: Named[] }>("/api/invoices/employees", params, signal);
}

export const invoicesApi = {
  create: (body: InvoiceCreateBody) => apiSend<Invoice>("POST", "/api/invoices", body),
  update: (id: number, body: InvoiceUpdateBody) => apiSend<Invoice>("PATCH", `/api/invoices/${id}`, body),
  remove: (id: number) => apiSend<{ deleted: number }>("DELETE", `/api/invoices/${id}`),
  preview: (body: InvoicePreviewBody) => apiSend<InvoicePreview>("POST", "/api/invoices/preview", body),
  issue: (id: number) => apiSend<Invoice>("POST", `/api/invoices/${id}/issue`),
  void: (id: number, reason: string) => apiSend<Invoice>("POST", `/api/invoices/${id}/void`, { reason }),
  bulk: (body: BulkBody) => apiSend<BulkResult>("POST", "/api/invoices/bulk", body),
  recordPayment: (id: number, body: PaymentBody) => apiSend<Payment>("POST", `/api/invoices/${id}/payments`, body),
  creditNote: (id: number, body: CreditNoteBody) =>
    apiSend<CreditNote>("POST", `/api/invoices/${id}/credit-notes`, body),
};

export const customersApi = {
  create: (body: CustomerCreateBody) => apiSend<Customer>("POST", "/api/customers", body),
  update: (id: number, body: CustomerUpdateBody) => apiSend<Customer>("PATCH", `/api/customers/${id}`, body),
  remove: (id: number) => apiSend<{ deleted: number }>("DELETE", `/api/customers/${id}`),
};

/** Where a browser downloads an invoice's PDF (the BFF streams the service's file). */
export function pdfUrl(id: number, download = false): string {
  return `/api/invoices/${id}/pdf${download ? "?download=1" : ""}`;
}

/** The per-row refusals of a 409 `bulk_rejected`, from the failure's body. */
export interface BulkRowResult {
  id: number;
  ok: boolean;
  status?: number;
  code?: string;
  detail?: string;
}

export function bulkRows(failure: FetchFailure): BulkRowResult[] {
  const body = failure.body as { results?: unknown } | null;
  if (!body || !Array.isArray(body.results)) return [];
  return body.results.filter(
    (row): row is BulkRowResult =>
      typeof row === "object" && row !== null && typeof (row as { id?: unknown }).id === "number",
  );
}

/** The existing customer of a 409 `duplicate_tax_id`. */
export function existingCustomer(failure: FetchFailure): Named | null {
  const body = failure.body as { existing_customer?: { id?: unknown; name?: unknown } } | null;
  const existing = body?.existing_customer;
  if (existing && typeof existing.id === "number" && typeof existing.name === "string") {
    return { id: existing.id, name: existing.name };
  }
  return null;
}
