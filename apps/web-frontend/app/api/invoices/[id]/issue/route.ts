import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { invoiceService } from "@/lib/services/invoice";
import { badId, pathId } from "../../path-id";

/** `POST /api/invoices/{id}/issue`: draft → issued, numbered by the service. */
export const POST = apiRoute({}, async ({ request, context }) => {
  const id = pathId(request, "invoices");
  if (id === null) return badId("invoice_id");
  return json(await invoiceService.issue(id, context));
});
