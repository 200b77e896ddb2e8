import "server-only";
import type { components, operations } from "@repo/api-types/employee";
import { z } from "zod";
import type {
  AttendanceDayBody,
  EmployeeCreateBody,
  EmployeesBulkBody,
  EmployeeUpdateBody,
} from "../employees-query";
import type { Conforms } from "./contract";
import { callService, type Query, type ServiceContext } from "./http";
import { pageSchema, type Page } from "./page";

type Schemas = components["schemas"];

export const ROLES = ["admin", "hr_manager", "asset_manager", "accountant", "employee"] as const;
export type Role = (typeof ROLES)[number];

export const loginResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.literal("bearer"),
  expires_in: z.number().int().positive(),
  user: z.object({
    id: z.number().int(),
    employee_id: z.number().int().nullable(),
    email: z.string(),
    roles: z.array(z.string()),
  }),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;
true satisfies Conforms<LoginResponse, Schemas["LoginResponse"]>;
true satisfies Conforms<LoginResponse["user"], Schemas["LoginUser"]>;

export const employeeSchema = z.object({
  id: z.number().int(),
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  job_title: z.string().nullable(),
  department_id: z.number().int().nullable(),
  hire_date: z.string(),
  status: z.enum(["active", "on_leave", "terminated"]),
  roles: z.array(z.string()),
});
export type Employee = z.infer<typeof employeeSchema>;
true satisfies Conforms<Employee, Schemas["EmployeePublic"]>;

const employeePageSchema = pageSchema(employeeSchema);

export const attendanceSchema = z.object({
  id: z.number().int(),
  employee_id: z.number().int(),
  date: z.string(),
  check_in_at: z.string().nullable(),
  check_out_at: z.string().nullable(),
  worked_hours: z.number().nullable(),
  status: z.enum(["present", "absent", "leave", "remote"]),
  note: z.string().nullable(),
});
export type Attendance = z.infer<typeof attendanceSchema>;
true satisfies Conforms<Attendance, Schemas["AttendancePublic"]>;

/** An employee with everything the service says of them (the HR screens). */
export const employeeRecordSchema = employeeSchema.extend({
  phone: z.string().nullable(),
  manager_id: z.number().int().nullable(),
  has_login: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type EmployeeRecord = z.infer<typeof employeeRecordSchema>;
true satisfies Conforms<EmployeeRecord, Schemas["EmployeePublic"]>;
const employeeRecordPageSchema = pageSchema(employeeRecordSchema);

export const departmentSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  code: z.string().nullable(),
  parent_id: z.number().int().nullable(),
  manager_id: z.number().int().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Department = z.infer<typeof departmentSchema>;
true satisfies Conforms<Department, Schemas["DepartmentPublic"]>;
const departmentPageSchema = pageSchema(departmentSchema);

export const roleSchema = z.object({ name: z.string(), description: z.string() });
export type RoleInfo = z.infer<typeof roleSchema>;
true satisfies Conforms<RoleInfo, Schemas["RolePublic"]>;

const attendancePageSchema = pageSchema(attendanceSchema);

export const monthlySummarySchema = z.object({
  employee_id: z.number().int(),
  month: z.string(),
  days_present: z.number().int(),
  days_remote: z.number().int(),
  days_absent: z.number().int(),
  days_leave: z.number().int(),
  hours_worked: z.number(),
});
export type MonthlySummary = z.infer<typeof monthlySummarySchema>;
true satisfies Conforms<MonthlySummary, Schemas["MonthlySummary"]>;
const monthlySummaryListSchema = z.object({ items: z.array(monthlySummarySchema), total: z.number().int() });

/**
 * `POST /employees/bulk`: all or nothing. 200 lists every row done; a 409 `bulk_rejected` lists
 * each row's reason (nothing changed) and is thrown as a ServiceHttpError carrying these results.
 */
const bulkRowSchema = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), item: employeeRecordSchema.nullable() }),
  z.object({
    id: z.number().int(),
    ok: z.literal(false),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
  }),
]);
export type EmployeesBulkRow = z.infer<typeof bulkRowSchema>;
export const employeesBulkResultSchema = z.object({
  action: z.string(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  results: z.array(bulkRowSchema),
});
export type EmployeesBulkResult = z.infer<typeof employeesBulkResultSchema>;
export const bulkRejectedSchema = z.object({
  detail: z.string(),
  code: z.literal("bulk_rejected"),
  succeeded: z.number().int(),
  failed: z.number().int(),
  results: z.array(bulkRowSchema),
});
export type BulkRejected = z.infer<typeof bulkRejectedSchema>;

/**
 * The filters and paging of `GET /employees`, as the service names them; `email`, `role`,
 * `hired_from`, `hired_to` are the filters added with the bulk actions.
 */
export type EmployeeListQuery = NonNullable<operations["list_employees_api_v1_employees_get"]["parameters"]["query"]> & {
  email?: string;
  role?: string;
  hired_from?: string;
  hired_to?: string;
};
export type DepartmentListQuery = NonNullable<
  operations["list_departments_api_v1_departments_get"]["parameters"]["query"]
>;
export type AttendanceListQuery = NonNullable<
  operations["list_attendance_api_v1_attendance_get"]["parameters"]["query"]
>;

/** The most departments the tree holds (pages of 200 are asked until then). */
export const MAX_DEPARTMENTS = 2000;

/** The most ids `GET /employees?ids=` takes in one call. */
export const MAX_IDS_PER_CALL = 500;

export const employeeService = {
  /** `POST /auth/login`: the service token and who it belongs to; 401 on a wrong password. */
  login(credentials: { email: string; password: string }, context: ServiceContext = {}) {
    return callService("employee", "/api/v1/auth/login", context, {
      method: "POST",
      body: credentials,
      schema: loginResponseSchema,
    });
  },

  /** `GET /employees?ids=…`: one query for up to 500 employees; unknown ids are left out. */
  async byIds(ids: readonly number[], context: ServiceContext): Promise<Employee[]> {
    if (ids.length === 0) return [];
    if (ids.length > MAX_IDS_PER_CALL) {
      throw new RangeError(`at most ${MAX_IDS_PER_CALL} ids per call, got ${ids.length}`);
    }
    const page = await callService("employee", "/api/v1/employees", context, {
      query: { ids },
      schema: employeePageSchema,
    });
    return page.items;
  },

  /** `GET /employees`: one page of the employees the caller may see. */
  list(query: EmployeeListQuery, context: ServiceContext): Promise<Page<EmployeeRecord>> {
    return callService("employee", "/api/v1/employees", context, {
      query: query as Query,
      schema: employeeRecordPageSchema,
    });
  },

  /**
   * The employee search of every picker: the first `limit` employees whose name or email contains
   * `q`, by last name; `status` narrows it (the invoice picker takes active employees only).
   */
  async search(
    q: string | undefined,
    limit: number,
    context: ServiceContext,
    { status }: { status?: Employee["status"] } = {},
  ): Promise<Employee[]> {
    const page = await callService("employee", "/api/v1/employees", context, {
      query: { q, status, sort: "last_name", limit },
      schema: employeePageSchema,
    });
    return page.items;
  },

  /** `GET /employees/{id}`; 404 when there is none the caller may see. */
  get(id: number, context: ServiceContext) {
    return callService("employee", `/api/v1/employees/${id}`, context, { schema: employeeRecordSchema });
  },

  /** `POST /employees`: hire; 409 `email_taken`, 403 for an admin role given by non-admins. */
  create(body: EmployeeCreateBody, context: ServiceContext) {
    return callService("employee", "/api/v1/employees", context, {
      method: "POST",
      body,
      schema: employeeRecordSchema,
    });
  },

  /** `PATCH /employees/{id}`: the fields sent change (status active reactivates). */
  update(id: number, body: EmployeeUpdateBody, context: ServiceContext) {
    return callService("employee", `/api/v1/employees/${id}`, context, {
      method: "PATCH",
      body,
      schema: employeeRecordSchema,
    });
  },

  /** `DELETE /employees/{id}`: terminate (soft; the login is disabled, assets go back). */
  async terminate(id: number, context: ServiceContext): Promise<void> {
    await callService("employee", `/api/v1/employees/${id}`, context, { method: "DELETE", schema: null });
  },

  /** `PUT /employees/{id}/roles`: replaces the roles. */
  setRoles(id: number, roles: string[], context: ServiceContext) {
    return callService("employee", `/api/v1/employees/${id}/roles`, context, {
      method: "PUT",
      body: { roles },
      schema: employeeRecordSchema,
    });
  },

  /**
   * `POST /employees/bulk`: all or nothing. A 409 `bulk_rejected` is thrown as a ServiceHttpError
   * whose body is the service's whole answer (its per-row `results` included).
   */
  bulk(body: EmployeesBulkBody, context: ServiceContext): Promise<EmployeesBulkResult> {
    return callService("employee", "/api/v1/employees/bulk", context, {
      method: "POST",
      body,
      schema: employeesBulkResultSchema,
    });
  },

  /** `GET /roles`: the roles an employee can hold. */
  roles(context: ServiceContext) {
    return callService("employee", "/api/v1/roles", context, { schema: z.array(roleSchema) });
  },

  /** `GET /departments`: one page. */
  departments(query: DepartmentListQuery, context: ServiceContext): Promise<Page<Department>> {
    return callService("employee", "/api/v1/departments", context, {
      query: query as Query,
      schema: departmentPageSchema,
    });
  },

  /** Every department (the tree), a page of 200 at a time up to MAX_DEPARTMENTS. */
  async allDepartments(context: ServiceContext, query: { q?: string } = {}): Promise<Department[]> {
    const all: Department[] = [];
    for (let offset = 0; offset < MAX_DEPARTMENTS; offset += 200) {
      const page = await employeeService.departments({ ...query, limit: 200, offset, sort: "name" }, context);
      all.push(...page.items);
      if (page.items.length < 200 || (page.total !== null && page.total !== undefined && all.length >= page.total)) {
        break;
      }
    }
    return all;
  },

  department(id: number, context: ServiceContext) {
    return callService("employee", `/api/v1/departments/${id}`, context, { schema: departmentSchema });
  },

  createDepartment(body: unknown, context: ServiceContext) {
    return callService("employee", "/api/v1/departments", context, {
      method: "POST",
      body,
      schema: departmentSchema,
    });
  },

  updateDepartment(id: number, body: unknown, context: ServiceContext) {
    return callService("employee", `/api/v1/departments/${id}`, context, {
      method: "PATCH",
      body,
      schema: departmentSchema,
    });
  },

  /** `DELETE /departments/{id}`: 409 while it has employees or sub-departments. */
  async deleteDepartment(id: number, context: ServiceContext): Promise<void> {
    await callService("employee", `/api/v1/departments/${id}`, context, { method: "DELETE", schema: null });
  },

  /** `GET /departments/{id}/employees`. */
  departmentEmployees(
    id: number,
    query: { status?: string; limit?: number; offset?: number; cursor?: string; sort?: string },
    context: ServiceContext,
  ): Promise<Page<EmployeeRecord>> {
    return callService("employee", `/api/v1/departments/${id}/employees`, context, {
      query,
      schema: employeeRecordPageSchema,
    });
  },

  /** `GET /attendance?employee_id=&from=&to=`. */
  attendance(query: AttendanceListQuery, context: ServiceContext): Promise<Page<Attendance>> {
    return callService("employee", "/api/v1/attendance", context, {
      query: query as Query,
      schema: attendancePageSchema,
    });
  },

  /** `GET /attendance/summary?month=&employee_id=`: per employee, the month's days and hours. */
  attendanceSummary(query: { month: string; employee_id?: number }, context: ServiceContext) {
    return callService("employee", "/api/v1/attendance/summary", context, {
      query,
      schema: monthlySummaryListSchema,
    });
  },

  /** `PUT /attendance/{employee_id}/{day}`: HR records or corrects a whole day. */
  recordDay(employeeId: number, day: string, body: AttendanceDayBody, context: ServiceContext) {
    return callService("employee", `/api/v1/attendance/${employeeId}/${day}`, context, {
      method: "PUT",
      body,
      schema: attendanceSchema,
    });
  },

  /** `GET /employees/me`. */
  me(context: ServiceContext) {
    return callService("employee", "/api/v1/employees/me", context, { schema: employeeSchema });
  },

  /** `POST /attendance/check-in`: the signed-in employee, now. */
  checkIn(context: ServiceContext) {
    return callService("employee", "/api/v1/attendance/check-in", context, {
      method: "POST",
      schema: attendanceSchema,
    });
  },

  /** `POST /attendance/check-out`: the signed-in employee, now. */
  checkOut(context: ServiceContext) {
    return callService("employee", "/api/v1/attendance/check-out", context, {
      method: "POST",
      schema: attendanceSchema,
    });
  },
};

/** "First Last", the way the web app names a person. */
export function displayName(employee: Pick<Employee, "first_name" | "last_name">): string {
  return `${employee.first_name} ${employee.last_name}`.trim();
}
