import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { employeeService } from "@/lib/services/employee";

/** `POST /api/attendance/check-in`: the signed-in employee checks in now (CSRF-checked). */
export const POST = apiRoute({}, async ({ context }) => json(await employeeService.checkIn(context), 201));
