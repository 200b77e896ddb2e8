import type { NextRequest } from "next/server";
import { pathIdOf, type RouteParams } from "@/app/api/employees/path-params";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { departmentEmployeesQuerySchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/** `GET /api/departments/{id}/employees?status=&sort=&limit=&offset=`: the department's people. */
export function GET(request: NextRequest, { params }: RouteParams<"id">) {
  return apiRoute({ query: departmentEmployeesQuerySchema }, async ({ query, context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    return json(await employeeService.departmentEmployees(path.id, query, context));
  })(request);
}
