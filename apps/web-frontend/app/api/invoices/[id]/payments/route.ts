import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { paymentSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";
import { badId, pathId } from "../../path-id";

/**
 * `POST /api/invoices/{id}/payments` `{amount, paid_at?, method, reference?, idempotency_key?}`:
 * a payment, partial ones too; `idempotency_key` goes to the service as its Idempotency-Key.
 */
export const POST = apiRoute({ body: paymentSchema }, async ({ request, body, context }) => {
  const id = pathId(request, "invoices");
  if (id === null) return badId("invoice_id");
  return json(await invoiceService.recordPayment(id, body, context), 201);
});
