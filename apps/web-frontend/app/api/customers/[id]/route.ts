import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { customerUpdateSchema } from "@/lib/invoices-query";
import { customerService } from "@/lib/services/invoice";

export const GET = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) =>
  json(await customerService.get(id, context)),
);

/** `PATCH /api/customers/{id}`: 409 `duplicate_tax_id` keeps `existing_customer: {id, name}`. */
export const PATCH = routeWithIds({ ids: ["id"], body: customerUpdateSchema }, async ({ ids: { id }, body, context }) =>
  json(await customerService.update(id, body, context)),
);

/** `DELETE /api/customers/{id}`: 409 `customer_has_invoices` when it has any. */
export const DELETE = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) => {
  await customerService.remove(id, context);
  return json({ deleted: id });
});
