import type { NextRequest } from "next/server";
import { readPathParam, type RouteParams } from "@/app/api/employees/path-params";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { attendanceDaySchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/** `PUT /api/attendance/{employee_id}/{day}` `{status, check_in_at?, check_out_at?, note?}`: HR's record of a day. */
export function PUT(request: NextRequest, { params }: RouteParams<"employeeId" | "day">) {
  return apiRoute({ body: attendanceDaySchema }, async ({ body, context }) => {
    const raw = await params;
    const employee = readPathParam(raw, "employeeId", "id");
    if (!employee.ok) return employee.answer;
    const day = readPathParam(raw, "day", "day");
    if (!day.ok) return day.answer;
    return json(await employeeService.recordDay(employee.value as number, day.value as string, body, context));
  })(request);
}
