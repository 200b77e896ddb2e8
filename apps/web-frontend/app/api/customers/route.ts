import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { customerCreateSchema, customersQuerySchema } from "@/lib/invoices-query";
import { customerService } from "@/lib/services/invoice";

/** `GET /api/customers?q=&sort=&limit=&offset=&cursor=`: a page of customers. */
export const GET = apiRoute({ query: customersQuerySchema }, async ({ query, context }) =>
  json(await customerService.list(query, context)),
);

/** `POST /api/customers`: 409 `duplicate_tax_id` keeps `existing_customer: {id, name}`. */
export const POST = apiRoute({ body: customerCreateSchema }, async ({ body, context }) =>
  json(await customerService.create(body, context), 201),
);
