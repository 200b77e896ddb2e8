import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { findEmployees } from "@/lib/compose/invoices";
import { employeeSearchSchema } from "@/lib/invoices-query";

/** `GET /api/invoices/employees?q=` (or `?ids=`): `{items: [{id, name}]}` to pick a responsible employee. */
export const GET = apiRoute({ query: employeeSearchSchema }, async ({ query, context }) =>
  json(await findEmployees(query, context)),
);
