import { routeWithIds } from "@/lib/api/handler";
import { json, noContent } from "@/lib/api/respond";
import { employeeWithAssets } from "@/lib/compose/employees";
import { employeeUpdateSchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/**
 * `GET /api/employees/{id}`: the employee, their department and the assets assigned to them
 * (asked in parallel; `partial: true, unavailable: ["asset"]` when the asset service is down).
 */
export const GET = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) =>
  json(await employeeWithAssets(id, context)),
);

/** `PATCH /api/employees/{id}`: change fields; `{status: "active", password?}` reactivates. */
export const PATCH = routeWithIds({ ids: ["id"], body: employeeUpdateSchema }, async ({ ids: { id }, body, context }) =>
  json(await employeeService.update(id, body, context)),
);

/** `DELETE /api/employees/{id}`: terminate (204). */
export const DELETE = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) => {
  await employeeService.terminate(id, context);
  return noContent();
});
