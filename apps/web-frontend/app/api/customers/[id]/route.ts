import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { customerUpdateSchema } from "@/lib/invoices-query";
import { customerService } from "@/lib/services/invoice";
import { badId, pathId } from "../../invoices/path-id";

export const GET = apiRoute({}, async ({ request, context }) => {
  const id = pathId(request, "customers");
  if (id === null) return badId("customer_id");
  return json(await customerService.get(id, context));
});

/** `PATCH /api/customers/{id}`: 409 `duplicate_tax_id` keeps `existing_customer: {id, name}`. */
export const PATCH = apiRoute({ body: customerUpdateSchema }, async ({ request, body, context }) => {
  const id = pathId(request, "customers");
  if (id === null) return badId("customer_id");
  return json(await customerService.update(id, body, context));
});

/** `DELETE /api/customers/{id}`: 409 `customer_has_invoices` when it has any. */
export const DELETE = apiRoute({}, async ({ request, context }) => {
  const id = pathId(request, "customers");
  if (id === null) return badId("customer_id");
  await customerService.remove(id, context);
  return json({ deleted: id });
});
