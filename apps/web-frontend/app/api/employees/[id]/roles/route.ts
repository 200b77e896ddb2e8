import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { rolesUpdateSchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/** `PUT /api/employees/{id}/roles` `{roles: [...]}`: replaces the employee's roles. */
export const PUT = routeWithIds({ ids: ["id"], body: rolesUpdateSchema }, async ({ ids: { id }, body, context }) =>
  json(await employeeService.setRoles(id, body.roles, context)),
);
