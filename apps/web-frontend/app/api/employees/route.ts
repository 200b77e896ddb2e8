import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { listEmployeesWithDepartments } from "@/lib/compose/employees";
import { employeeCreateSchema, employeesQuerySchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/**
 * `GET /api/employees?q=&department_id=&status=&email=&role=&hired_from=&hired_to=&sort=&limit=&offset=`:
 * a page of the employee service's list, each employee with `department: {id, name}`.
 */
export const GET = apiRoute({ query: employeesQuerySchema }, async ({ query, context }) =>
  json(await listEmployeesWithDepartments(query, context)),
);

/** `POST /api/employees`: hire (the service's 422/409/403 passed through). */
export const POST = apiRoute({ body: employeeCreateSchema }, async ({ body, context }) =>
  json(await employeeService.create(body, context), 201),
);
