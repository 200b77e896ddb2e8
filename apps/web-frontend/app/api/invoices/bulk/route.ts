import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { bulkSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";

/**
 * `POST /api/invoices/bulk` `{action: "issue"|"void", ids, reason?}`: all-or-nothing. 200 with
 * every row's result, or the service's 409 `bulk_rejected` passed on WITH its per-row `results`
 * (`{id, ok, status, code, detail}`) so that the page can say why each row was refused.
 */
export const POST = apiRoute({ body: bulkSchema }, async ({ body, context }) =>
  json(await invoiceService.bulk(body, context)),
);
