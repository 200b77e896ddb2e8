import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { voidSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";

/** `POST /api/invoices/{id}/void` `{reason}`: a draft, or an issued invoice without payments or credit notes. */
export const POST = routeWithIds({ ids: ["id"], body: voidSchema }, async ({ ids: { id }, body, context }) =>
  json(await invoiceService.void(id, body.reason, context)),
);
