import type { NextRequest } from "next/server";
import { noContent, pathIdOf, type RouteParams } from "@/app/api/employees/path-params";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { departmentUpdateSchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

type Params = RouteParams<"id">;

/** `GET /api/departments/{id}`. */
export function GET(request: NextRequest, { params }: Params) {
  return apiRoute({}, async ({ context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    return json(await employeeService.department(path.id, context));
  })(request);
}

/** `PATCH /api/departments/{id}`: rename, recode, move (`parent_id`), change the manager. */
export function PATCH(request: NextRequest, { params }: Params) {
  return apiRoute({ body: departmentUpdateSchema }, async ({ body, context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    return json(await employeeService.updateDepartment(path.id, body, context));
  })(request);
}

/** `DELETE /api/departments/{id}`: 409 while it has employees or sub-departments. */
export function DELETE(request: NextRequest, { params }: Params) {
  return apiRoute({}, async ({ context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    await employeeService.deleteDepartment(path.id, context);
    return noContent();
  })(request);
}
