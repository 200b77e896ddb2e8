import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { invoiceWithEmployee } from "@/lib/compose/invoices";
import { invoiceUpdateSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";

/** `GET /api/invoices/{id}`: the invoice, its lines, payments and credit notes, and its responsible employee. */
export const GET = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) =>
  json(await invoiceWithEmployee(id, context)),
);

/** `PATCH /api/invoices/{id}`: drafts only (409 `invoice_not_draft`); `lines` replaces them all. */
export const PATCH = routeWithIds({ ids: ["id"], body: invoiceUpdateSchema }, async ({ ids: { id }, body, context }) =>
  json(await invoiceService.update(id, body, context)),
);

/** `DELETE /api/invoices/{id}`: drafts only. */
export const DELETE = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) => {
  await invoiceService.remove(id, context);
  return json({ deleted: id });
});
