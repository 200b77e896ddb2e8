import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { employeeOptionsQuerySchema } from "@/lib/assets-query";
import { employeeOptions } from "@/lib/compose/assets";

/**
 * `GET /api/assets/employee-options?q=`: the first 10 employees whose name or email contains q
 * (the employee service's list), for the "assign to" pickers: `{items: [{id, name, email,
 * job_title, status}]}`.
 */
export const GET = apiRoute({ query: employeeOptionsQuerySchema }, async ({ query, context }) =>
  json({ items: await employeeOptions(query.q, context) }),
);
