import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { employeeService } from "@/lib/services/employee";

/** `GET /api/roles`: the roles an employee can hold (`[{name, description}]`). */
export const GET = apiRoute({}, async ({ context }) => json(await employeeService.roles(context)));
