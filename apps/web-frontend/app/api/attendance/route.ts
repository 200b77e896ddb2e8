import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { attendanceQuerySchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/** `GET /api/attendance?employee_id=&from=&to=&sort=&limit=&offset=`: days as the service lists them. */
export const GET = apiRoute({ query: attendanceQuerySchema }, async ({ query, context }) =>
  json(await employeeService.attendance(query, context)),
);
