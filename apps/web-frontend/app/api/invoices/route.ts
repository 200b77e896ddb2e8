import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { listInvoicesWithEmployees } from "@/lib/compose/invoices";
import { invoiceCreateSchema, invoicesQuerySchema } from "@/lib/invoices-query";
import { invoiceService } from "@/lib/services/invoice";

/**
 * `GET /api/invoices?status=&overdue=&customer_id=&employee_id=&issued_from=&issued_to=&due_from=
 * &due_to=&currency=&number=&total_min=&total_max=&q=&sort=&limit=&offset=&cursor=`: a page of
 * the invoice service's list (an employee-only user gets their own), each invoice with
 * `employee: {id, name, unavailable}`; `partial: true` when the employee service could not name them.
 */
export const GET = apiRoute({ query: invoicesQuerySchema }, async ({ query, context }) =>
  json(await listInvoicesWithEmployees(query, context)),
);

/** `POST /api/invoices`: a draft with its lines (the service's 422 names `lines.0.unit_price`). */
export const POST = apiRoute({ body: invoiceCreateSchema }, async ({ body, context }) =>
  json(await invoiceService.create(body, context), 201),
);
