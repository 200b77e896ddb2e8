import { routeWithIds } from "@/lib/api/handler";
import { json, noContent } from "@/lib/api/respond";
import { departmentUpdateSchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/** `GET /api/departments/{id}`. */
export const GET = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) =>
  json(await employeeService.department(id, context)),
);

/** `PATCH /api/departments/{id}`: rename, recode, move (`parent_id`), change the manager. */
export const PATCH = routeWithIds({ ids: ["id"], body: departmentUpdateSchema }, async ({ ids: { id }, body, context }) =>
  json(await employeeService.updateDepartment(id, body, context)),
);

/** `DELETE /api/departments/{id}`: 409 while it has employees or sub-departments. */
export const DELETE = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) => {
  await employeeService.deleteDepartment(id, context);
  return noContent();
});
