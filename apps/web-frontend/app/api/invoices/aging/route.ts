import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { agingQuerySchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";

/** `GET /api/invoices/aging?as_of=`: what is owed per currency, by how long it is overdue. */
export const GET = apiRoute({ query: agingQuerySchema }, async ({ query, context }) =>
  json(await invoiceService.aging(query.as_of, context)),
);
