import { describe, expect, it } from "vitest";
import {
  attendanceSummaryQuerySchema,
  employeeFormSchema,
  employeesBulkSchema,
  employeesQuerySchema,
  employeesViewSchema,
  monthOf,
  monthRange,
  shiftMonth,
  toCreateBody,
  toUpdateBody,
  type EmployeeFormValues,
} from "@/lib/employees-query";

describe("employees query schemas", () => {
  it("parses the list's filters, coercing numbers and defaulting the page", () => {
    expect(
      employeesQuerySchema.parse({
        q: "eli",
        department_id: "3",
        status: "on_leave",
        email: "tb-erp",
        role: "hr_manager",
        hired_from: "2024-01-01",
        hired_to: "2024-12-31",
        sort: "-hire_date",
        offset: "40",
      }),
    ).toEqual({
      q: "eli",
      department_id: 3,
      status: "on_leave",
      email: "tb-erp",
      role: "hr_manager",
      hired_from: "2024-01-01",
      hired_to: "2024-12-31",
      sort: "-hire_date",
      limit: 20,
      offset: 40,
    });
  });

  it("refuses unknown parameters, bad values and sorts the service does not know", () => {
    for (const bad of [
      { colour: "red" },
      { status: "retired" },
      { role: "owner" },
      { department_id: "0" },
      { department_id: "x" },
      { hired_from: "01/02/2024" },
      { limit: "500" },
      { sort: "salary" },
      { sort: "-salary" },
      { q: "a\0b" },
      { columns: "email" },
    ]) {
      expect(employeesQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("keeps the visible columns in the page's URL, not in the BFF's query", () => {
    expect(employeesViewSchema.parse({ columns: "last_name,email" })).toMatchObject({ columns: "last_name,email" });
  });

  it("checks the bulk body: a department move names the department, at most 500 ids", () => {
    expect(employeesBulkSchema.safeParse({ action: "terminate", ids: [1, 2] }).success).toBe(true);
    expect(employeesBulkSchema.safeParse({ action: "set_department", ids: [1], department_id: null }).success).toBe(true);
    expect(employeesBulkSchema.safeParse({ action: "set_department", ids: [1] }).success).toBe(false);
    expect(employeesBulkSchema.safeParse({ action: "terminate", ids: [] }).success).toBe(false);
    expect(employeesBulkSchema.safeParse({ action: "fire", ids: [1] }).success).toBe(false);
    expect(
      employeesBulkSchema.safeParse({ action: "terminate", ids: Array.from({ length: 501 }, (_, i) => i + 1) }).success,
    ).toBe(false);
  });

  it("reads a month from the URL, else the current one, and knows its days", () => {
    const today = new Date("2026-11-30T10:00:00Z");
    expect(monthOf("2026-02", today)).toBe("2026-02");
    expect(monthOf(["2025-12", "x"], today)).toBe("2025-12");
    expect(monthOf("2026-13", today)).toBe("2026-11");
    expect(monthOf(undefined, today)).toBe("2026-11");
    expect(monthRange("2024-02")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(monthRange("2026-11")).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(attendanceSummaryQuerySchema.safeParse({ month: "2026-1" }).success).toBe(false);
    expect(attendanceSummaryQuerySchema.parse({ month: "2026-11", employee_id: "5" })).toEqual({
      month: "2026-11",
      employee_id: 5,
    });
  });
});

describe("the employee form", () => {
  const values: EmployeeFormValues = {
    first_name: " Eli ",
    last_name: "Walker",
    email: "eli@tb-erp.example",
    phone: "",
    job_title: "Technician",
    department_id: "5",
    manager_id: "",
    hire_date: "",
    status: "active",
    password: "",
    remove_login: false,
    roles: ["employee"],
  };

  it("checks what the service checks before sending", () => {
    expect(employeeFormSchema.safeParse(values).success).toBe(true);
    const bad = employeeFormSchema.safeParse({ ...values, email: "nope", password: "short", phone: "abc" });
    expect(bad.success).toBe(false);
    const fields = bad.error?.issues.map((issue) => issue.path.join(".")).sort();
    expect(fields).toEqual(["email", "password", "phone"]);
    expect(
      employeeFormSchema.safeParse({ ...values, password: "long-enough-1", remove_login: true }).success,
    ).toBe(false);
  });

  it("sends a new employee with empty fields as null", () => {
    expect(toCreateBody(values)).toEqual({
      first_name: "Eli",
      last_name: "Walker",
      email: "eli@tb-erp.example",
      phone: null,
      job_title: "Technician",
      department_id: 5,
      manager_id: null,
      hire_date: null,
      status: "active",
      password: null,
      roles: ["employee"],
    });
  });

  it("sends only the changed fields of an edit, a password only when given", () => {
    expect(toUpdateBody({ ...values, department_id: "", job_title: "" }, { department_id: true, job_title: true })).toEqual({
      department_id: null,
      job_title: null,
    });
    expect(toUpdateBody({ ...values, password: "new-password-1" }, {})).toEqual({ password: "new-password-1" });
    expect(toUpdateBody({ ...values, remove_login: true }, { remove_login: true })).toEqual({ password: null });
  });
});
