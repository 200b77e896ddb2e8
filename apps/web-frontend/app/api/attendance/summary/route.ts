import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { attendanceOverview } from "@/lib/compose/employees";
import { attendanceSummaryQuerySchema } from "@/lib/employees-query";

/**
 * `GET /api/attendance/summary?month=YYYY-MM&employee_id=`: per employee, the month's days present,
 * remote, absent, on leave and hours worked, with the employee's name.
 */
export const GET = apiRoute({ query: attendanceSummaryQuerySchema }, async ({ query, context }) =>
  json(await attendanceOverview(query, context)),
);
