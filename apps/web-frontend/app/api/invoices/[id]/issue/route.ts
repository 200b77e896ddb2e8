import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { invoiceService } from "@/lib/services/invoice";

/** `POST /api/invoices/{id}/issue`: draft → issued, numbered by the service. */
export const POST = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) =>
  json(await invoiceService.issue(id, context)),
);
