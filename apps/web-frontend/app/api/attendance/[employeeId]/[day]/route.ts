import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { attendanceDaySchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/** `PUT /api/attendance/{employee_id}/{day}` `{status, check_in_at?, check_out_at?, note?}`: HR's record of a day. */
export const PUT = routeWithIds(
  { ids: ["employeeId"], days: ["day"], body: attendanceDaySchema },
  async ({ ids: { employeeId }, days: { day }, body, context }) =>
    json(await employeeService.recordDay(employeeId, day, body, context)),
);
