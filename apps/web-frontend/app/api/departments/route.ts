import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { departmentsWithHeadcounts } from "@/lib/compose/employees";
import { departmentCreateSchema, departmentsQuerySchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/**
 * `GET /api/departments?q=`: every department (the tree: `parent_id`) with `head_count` from the
 * dashboard service (null and `partial: true` when it is down).
 */
export const GET = apiRoute({ query: departmentsQuerySchema }, async ({ query, context }) =>
  json(await departmentsWithHeadcounts(context, query)),
);

/** `POST /api/departments` `{name, code?, parent_id?, manager_id?}`. */
export const POST = apiRoute({ body: departmentCreateSchema }, async ({ body, context }) =>
  json(await employeeService.createDepartment(body, context), 201),
);
