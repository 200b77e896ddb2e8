import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { paymentSchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";

/**
 * `POST /api/invoices/{id}/payments` `{amount, paid_at?, method, reference?, idempotency_key?}`:
 * a payment, partial ones too; `idempotency_key` goes to the service as its Idempotency-Key.
 */
export const POST = routeWithIds({ ids: ["id"], body: paymentSchema }, async ({ ids: { id }, body, context }) =>
  json(await invoiceService.recordPayment(id, body, context), 201),
);
