import type { NextRequest } from "next/server";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { employeeWithAssets } from "@/lib/compose/employees";
import { employeeUpdateSchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";
import { noContent, pathIdOf, type RouteParams } from "../path-params";

type Params = RouteParams<"id">;

/**
 * `GET /api/employees/{id}`: the employee, their department and the assets assigned to them
 * (asked in parallel; `partial: true, unavailable: ["asset"]` when the asset service is down).
 */
export function GET(request: NextRequest, { params }: Params) {
  return apiRoute({}, async ({ context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    return json(await employeeWithAssets(path.id, context));
  })(request);
}

/** `PATCH /api/employees/{id}`: change fields; `{status: "active", password?}` reactivates. */
export function PATCH(request: NextRequest, { params }: Params) {
  return apiRoute({ body: employeeUpdateSchema }, async ({ body, context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    return json(await employeeService.update(path.id, body, context));
  })(request);
}

/** `DELETE /api/employees/{id}`: terminate (204). */
export function DELETE(request: NextRequest, { params }: Params) {
  return apiRoute({}, async ({ context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    await employeeService.terminate(path.id, context);
    return noContent();
  })(request);
}
