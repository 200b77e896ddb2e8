import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { employeesBulkSchema } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";

/**
 * `POST /api/employees/bulk` `{action: "set_department"|"terminate", ids, department_id?}`: all or
 * nothing. 200 with every row's result; a 409 `bulk_rejected` is passed through with its per-row
 * `results` (each refused row's `status`, `code`, `detail`) so the page can show them.
 */
export const POST = apiRoute({ body: employeesBulkSchema }, async ({ body, context }) =>
  json(await employeeService.bulk(body, context)),
);
