import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { invoiceWithEmployee } from "@/lib/compose/invoices";
import { invoiceUpdateSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";
import { badId, pathId } from "../path-id";

/** `GET /api/invoices/{id}`: the invoice, its lines, payments and credit notes, and its responsible employee. */
export const GET = apiRoute({}, async ({ request, context }) => {
  const id = pathId(request, "invoices");
  if (id === null) return badId("invoice_id");
  return json(await invoiceWithEmployee(id, context));
});

/** `PATCH /api/invoices/{id}`: drafts only (409 `invoice_not_draft`); `lines` replaces them all. */
export const PATCH = apiRoute({ body: invoiceUpdateSchema }, async ({ request, body, context }) => {
  const id = pathId(request, "invoices");
  if (id === null) return badId("invoice_id");
  return json(await invoiceService.update(id, body, context));
});

/** `DELETE /api/invoices/{id}`: drafts only. */
export const DELETE = apiRoute({}, async ({ request, context }) => {
  const id = pathId(request, "invoices");
  if (id === null) return badId("invoice_id");
  await invoiceService.remove(id, context);
  return json({ deleted: id });
});
