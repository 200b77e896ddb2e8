import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { voidSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";
import { badId, pathId } from "../../path-id";

/** `POST /api/invoices/{id}/void` `{reason}`: a draft, or an issued invoice without payments or credit notes. */
export const POST = apiRoute({ body: voidSchema }, async ({ request, body, context }) => {
  const id = pathId(request, "invoices");
  if (id === null) return badId("invoice_id");
  return json(await invoiceService.void(id, body.reason, context));
});
