import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { creditNoteSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";
import { badId, pathId } from "../../path-id";

/** `POST /api/invoices/{id}/credit-notes` `{reason, lines? | amount + tax_rate?}`. */
export const POST = apiRoute({ body: creditNoteSchema }, async ({ request, body, context }) => {
  const id = pathId(request, "invoices");
  if (id === null) return badId("invoice_id");
  return json(await invoiceService.creditNote(id, body, context), 201);
});
