import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { invoicePreviewSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";

/**
 * `POST /api/invoices/preview`: the body of an invoice being written; the service's totals
 * (per line and overall, with its rounding), nothing saved. Its 422 is passed on as it is, so the
 * form shows each message on its field (`lines.0.unit_price`).
 */
export const POST = apiRoute({ body: invoicePreviewSchema }, async ({ body, context }) =>
  json(await invoiceService.preview(body, context)),
);
