import "server-only";
import type { components } from "@repo/api-types/employee";
import { z } from "zod";
import type { Conforms } from "./contract";
import { callService, type ServiceContext } from "./http";
import { pageSchema } from "./page";

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
