import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { creditNoteSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";

/** `POST /api/invoices/{id}/credit-notes` `{reason, lines? | amount + tax_rate?}`. */
export const POST = routeWithIds({ ids: ["id"], body: creditNoteSchema }, async ({ ids: { id }, body, context }) =>
  json(await invoiceService.creditNote(id, body, context), 201),
);
