import { z } from "zod";
import { MAX_ID, idSchema } from "./api/path";

/**
 * The HR screens' query strings and bodies — the employee service's own parameter and field
 * names — as the BFF routes validate them and as the pages keep them in their URLs. No
 * server-only imports: the browser uses these schemas too.
 */

export const EMPLOYEE_STATUS_VALUES = ["active", "on_leave", "terminated"] as const;
export type EmployeeStatus = (typeof EMPLOYEE_STATUS_VALUES)[number];
export const EMPLOYEE_STATUS_LABELS: Record<EmployeeStatus, string> = {
  active: "Active",
  on_leave: "On leave",
  terminated: "Terminated",
};

export const ROLE_VALUES = ["admin", "hr_manager", "asset_manager", "accountant", "employee"] as const;
export const ROLE_LABELS: Record<string, string> = {
  admin: "Administrator",
  hr_manager: "HR manager",
  asset_manager: "Asset manager",
  accountant: "Accountant",
  employee: "Employee",
};
export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role.replace(/_/g, " ");
}

export const ATTENDANCE_STATUS_VALUES = ["present", "absent", "leave", "remote"] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUS_VALUES)[number];
export const ATTENDANCE_STATUS_LABELS: Record<AttendanceStatus, string> = {
  present: "Present",
  absent: "Absent",
  leave: "Leave",
  remote: "Remote",
};

/** What the employee service sorts employees by. */
export const EMPLOYEE_SORT_VALUES = ["last_name", "first_name", "email", "hire_date", "created_at", "id"] as const;
export const DEPARTMENT_SORT_VALUES = ["name", "created_at", "id"] as const;
export const ATTENDANCE_SORT_VALUES = ["date", "id"] as const;

export const DEFAULT_PAGE_SIZE = 20;

/** Paging offsets: the services bound them at PostgreSQL's INTEGER. */
const MAX_OFFSET = 2_147_483_647;
const text = z.string().max(200).regex(/^[^\0]*$/, "No NUL characters");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A date as YYYY-MM-DD");
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "A month as YYYY-MM");

function sortSchema(values: readonly string[]) {
  return z
    .string()
    .refine(
      (value) => values.includes(value.replace(/^-/, "")),
      `Sort by one of: ${values.join(", ")} (prefix - for descending)`,
    );
}

const paging = {
  limit: z.coerce.number().int().min(1).max(200).default(DEFAULT_PAGE_SIZE),
  offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
  cursor: z.string().max(500).optional(),
};

/** `GET /api/employees`: the employee service's list filters, sort and page. */
export const employeesQuerySchema = z.strictObject({
  q: text.optional(),
  department_id: idSchema.optional(),
  status: z.enum(EMPLOYEE_STATUS_VALUES).optional(),
  email: text.optional(),
  role: z.enum(ROLE_VALUES).optional(),
  hired_from: isoDate.optional(),
  hired_to: isoDate.optional(),
  ...paging,
  sort: sortSchema(EMPLOYEE_SORT_VALUES).optional(),
});
export type EmployeesQuery = z.output<typeof employeesQuerySchema>;

/** The /employees page's URL: the list's query plus the visible columns. */
export const employeesViewSchema = employeesQuerySchema.extend({ columns: z.string().max(500).optional() });

/** `GET /api/departments/{id}/employees`. */
export const departmentEmployeesQuerySchema = z.strictObject({
  status: z.enum(EMPLOYEE_STATUS_VALUES).optional(),
  ...paging,
  sort: sortSchema(EMPLOYEE_SORT_VALUES).optional(),
});
export type DepartmentEmployeesQuery = z.output<typeof departmentEmployeesQuerySchema>;

/** `GET /api/departments`: every department (the tree), optionally searched. */
export const departmentsQuerySchema = z.strictObject({
  q: text.optional(),
});

/** `GET /api/attendance`: days of one employee (or all the caller may see) between two dates. */
export const attendanceQuerySchema = z.strictObject({
  employee_id: idSchema.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
  cursor: z.string().max(500).optional(),
  sort: sortSchema(ATTENDANCE_SORT_VALUES).optional(),
});
export type AttendanceQuery = z.output<typeof attendanceQuerySchema>;

/** `GET /api/attendance/summary?month=&employee_id=`. */
export const attendanceSummaryQuerySchema = z.strictObject({
  month: monthSchema,
  employee_id: idSchema.optional(),
});

/** The month a page shows: `?month=YYYY-MM`, else the current one. */
export function monthOf(raw: string | string[] | undefined, today = new Date()): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value && monthSchema.safeParse(value).success) return value;
  return today.toISOString().slice(0, 7);
}

/** The first and last day of a `YYYY-MM` month. */
export function monthRange(month: string): { from: string; to: string } {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

/** The month before or after `YYYY-MM`. */
export function shiftMonth(month: string, by: number): string {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  const date = new Date(Date.UTC(year, mon - 1 + by, 1));
  return date.toISOString().slice(0, 7);
}

// ---- bodies -------------------------------------------------------------------------------------
// The BFF checks the shape (types, known fields); the service checks the rules and answers the
// 422 the form shows field by field.

const nullableText = z.string().nullable().optional();
const nullableId = z.number().int().nullable().optional();

export const employeeCreateSchema = z.strictObject({
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  phone: nullableText,
  job_title: nullableText,
  department_id: nullableId,
  manager_id: nullableId,
  hire_date: nullableText,
  status: z.enum(EMPLOYEE_STATUS_VALUES).optional(),
  password: nullableText,
  roles: z.array(z.string()).optional(),
});
export type EmployeeCreateBody = z.output<typeof employeeCreateSchema>;

export const employeeUpdateSchema = z.strictObject({
  first_name: nullableText,
  last_name: nullableText,
  email: nullableText,
  phone: nullableText,
  job_title: nullableText,
  department_id: nullableId,
  manager_id: nullableId,
  hire_date: nullableText,
  status: z.enum(EMPLOYEE_STATUS_VALUES).nullable().optional(),
  password: nullableText,
});
export type EmployeeUpdateBody = z.output<typeof employeeUpdateSchema>;

export const rolesUpdateSchema = z.strictObject({ roles: z.array(z.string()) });

export const BULK_ACTIONS = ["set_department", "terminate"] as const;
export const employeesBulkSchema = z
  .strictObject({
    action: z.enum(BULK_ACTIONS),
    ids: z.array(z.number().int().min(1).max(MAX_ID)).min(1).max(500),
    department_id: z.number().int().min(1).max(MAX_ID).nullable().optional(),
  })
  .refine((body) => body.action !== "set_department" || body.department_id !== undefined, {
    path: ["department_id"],
    message: "Choose the department to move the employees to",
  });
export type EmployeesBulkBody = z.output<typeof employeesBulkSchema>;

export const departmentCreateSchema = z.strictObject({
  name: z.string(),
  code: nullableText,
  parent_id: nullableId,
  manager_id: nullableId,
});
export const departmentUpdateSchema = z.strictObject({
  name: nullableText,
  code: nullableText,
  parent_id: nullableId,
  manager_id: nullableId,
});

export const attendanceDaySchema = z.strictObject({
  status: z.enum(ATTENDANCE_STATUS_VALUES),
  check_in_at: nullableText,
  check_out_at: nullableText,
  note: nullableText,
});
export type AttendanceDayBody = z.output<typeof attendanceDaySchema>;

// ---- the employee form --------------------------------------------------------------------------

const optionalText = (max: number) => z.string().trim().max(max, `At most ${max} characters`);

/** What the create/edit form holds (strings, as inputs give them) and checks before sending. */
export const employeeFormSchema = z
  .object({
    first_name: z.string().trim().min(1, "Enter the first name").max(100, "At most 100 characters"),
    last_name: z.string().trim().min(1, "Enter the last name").max(100, "At most 100 characters"),
    email: z.string().trim().min(1, "Enter the email address").pipe(z.email("Enter a valid email address")),
    phone: optionalText(40).refine(
      (value) => value === "" || (/^\+?[0-9 ()./-]+$/.test(value) && value.length >= 3),
      "Digits, spaces and + ( ) . / - only, at least 3",
    ),
    job_title: optionalText(120),
    department_id: z.string(),
    manager_id: z.string(),
    hire_date: z.string().refine((value) => value === "" || /^\d{4}-\d{2}-\d{2}$/.test(value), "A date"),
    status: z.enum(EMPLOYEE_STATUS_VALUES),
    password: z.string().refine((value) => value === "" || (value.length >= 8 && value.length <= 128), {
      message: "At least 8 and at most 128 characters",
    }),
    remove_login: z.boolean(),
    roles: z.array(z.string()),
  })
  .refine((values) => !(values.remove_login && values.password !== ""), {
    path: ["password"],
    message: "Either set a new password or remove the login, not both",
  });
export type EmployeeFormValues = z.input<typeof employeeFormSchema>;

function orNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function idOrNull(value: string): number | null {
  return value === "" ? null : Number(value);
}

/** The form's values as `POST /employees` takes them. */
export function toCreateBody(values: EmployeeFormValues): EmployeeCreateBody {
  return {
    first_name: values.first_name.trim(),
    last_name: values.last_name.trim(),
    email: values.email.trim(),
    phone: orNull(values.phone),
    job_title: orNull(values.job_title),
    department_id: idOrNull(values.department_id),
    manager_id: idOrNull(values.manager_id),
    hire_date: orNull(values.hire_date),
    status: values.status,
    password: values.password === "" ? null : values.password,
    roles: values.roles,
  };
}

/** The changed fields only, as `PATCH /employees/{id}` takes them. */
export function toUpdateBody(
  values: EmployeeFormValues,
  dirty: Partial<Record<keyof EmployeeFormValues, unknown>>,
): EmployeeUpdateBody {
  const body: EmployeeUpdateBody = {};
  if (dirty.first_name) body.first_name = values.first_name.trim();
  if (dirty.last_name) body.last_name = values.last_name.trim();
  if (dirty.email) body.email = values.email.trim();
  if (dirty.phone) body.phone = orNull(values.phone);
  if (dirty.job_title) body.job_title = orNull(values.job_title);
  if (dirty.department_id) body.department_id = idOrNull(values.department_id);
  if (dirty.manager_id) body.manager_id = idOrNull(values.manager_id);
  if (dirty.hire_date && values.hire_date !== "") body.hire_date = values.hire_date;
  if (dirty.status) body.status = values.status;
  if (values.password !== "") body.password = values.password;
  else if (values.remove_login) body.password = null;
  return body;
}

/** A time of day on a date, in the browser's zone, as the ISO instant the service takes. */
export function instantOf(day: string, time: string): string | null {
  if (!time) return null;
  const date = new Date(`${day}T${time}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
