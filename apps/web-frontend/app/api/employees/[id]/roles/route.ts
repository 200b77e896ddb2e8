import type { NextRequest } from "next/server";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { rolesUpdateSchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";
import { pathIdOf, type RouteParams } from "../../path-params";

/** `PUT /api/employees/{id}/roles` `{roles: [...]}`: replaces the employee's roles. */
export function PUT(request: NextRequest, { params }: RouteParams<"id">) {
  return apiRoute({ body: rolesUpdateSchema }, async ({ body, context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    return json(await employeeService.setRoles(path.id, body.roles, context));
  })(request);
}
