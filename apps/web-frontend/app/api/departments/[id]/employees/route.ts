import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { departmentEmployeesQuerySchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/** `GET /api/departments/{id}/employees?status=&sort=&limit=&offset=`: the department's people. */
export const GET = routeWithIds(
  { ids: ["id"], query: departmentEmployeesQuerySchema },
  async ({ ids: { id }, query, context }) => json(await employeeService.departmentEmployees(id, query, context)),
);
