import "server-only";
import type { ServiceName } from "../env";
import { assetService, type Asset } from "../services/asset";
import { dashboardService } from "../services/dashboard";
import {
  displayName,
  employeeService,
  MAX_IDS_PER_CALL,
  type Department,
  type EmployeeListQuery,
  type EmployeeRecord,
  type MonthlySummary,
} from "../services/employee";
import {
  ServiceContractError,
  ServiceHttpError,
  ServiceUnavailableError,
} from "../services/errors";
import type { ServiceContext } from "../services/http";
import type { Page } from "../services/page";
import type { PartialAnswer } from "./assets";

/**
 * The HR screens' compositions (same rules as lib/compose/assets.ts): independent calls in
 * parallel, each id asked once, and a secondary service that cannot answer makes the answer
 * `partial` instead of failing it. A 401 always goes up (the user must sign in again).
 */

/** The department an employee belongs to, named. */
export interface DepartmentRef {
  id: number;
  name: string | null;
}

export type EmployeeRow = EmployeeRecord & { department: DepartmentRef | null };

/** The most assets an employee's page lists (the asset service's page size limit). */
export const EMPLOYEE_ASSETS_LIMIT = 200;

export interface EmployeeWithAssets extends PartialAnswer {
  employee: EmployeeRecord;
  department: DepartmentRef | null;
  /** Their manager, named (null name when the manager is not found). */
  manager: DepartmentRef | null;
  /** The assets assigned to them; null when the asset service could not be asked. */
  assets: Page<Asset> | null;
}

export type DepartmentNode = Department & {
  /** Active and on-leave employees (the dashboard's headcount); null when not known. */
  head_count: number | null;
};

export interface DepartmentsWithHeadcounts extends PartialAnswer {
  items: DepartmentNode[];
}

export type SummaryRow = MonthlySummary & { name: string | null };

export interface AttendanceOverview extends PartialAnswer {
  month: string;
  items: SummaryRow[];
}

/** A failure of a secondary service that leaves its part of the answer empty (not a 401). */
function isSecondaryFailure(error: unknown): boolean {
  if (error instanceof ServiceHttpError) return error.status !== 401;
  return error instanceof ServiceUnavailableError || error instanceof ServiceContractError;
}

function departmentRef(id: number | null, departments: ReadonlyMap<number, Department>): DepartmentRef | null {
  if (id === null) return null;
  return { id, name: departments.get(id)?.name ?? null };
}

/**
 * `GET /api/employees`: a page of employees with their department's name — the page and the
 * departments asked in parallel (both from the employee service, so no partial answer).
 */
export async function listEmployeesWithDepartments(
  query: EmployeeListQuery,
  context: ServiceContext,
): Promise<Page<EmployeeRow>> {
  const [page, departments] = await Promise.all([
    employeeService.list(query, context),
    employeeService.allDepartments(context),
  ]);
  const byId = new Map(departments.map((department) => [department.id, department]));
  return {
    ...page,
    items: page.items.map((employee) => ({ ...employee, department: departmentRef(employee.department_id, byId) })),
  };
}

/**
 * `GET /api/employees/{id}`: the employee (with their department) and the assets assigned to them,
 * the employee and asset services asked in parallel. The employee's 404 (or 403) goes up as it
 * is; when the asset service cannot answer, the employee still comes back with `assets: null`,
 * `partial: true, unavailable: ["asset"]`.
 */
export async function employeeWithAssets(id: number, context: ServiceContext): Promise<EmployeeWithAssets> {
  const assets = assetService
    .list({ assigned_employee_id: id, limit: EMPLOYEE_ASSETS_LIMIT, offset: 0, sort: "asset_tag" }, context)
    .then(
      (page) => ({ page, unavailable: false }),
      (error: unknown) => {
        if (isSecondaryFailure(error)) return { page: null, unavailable: true };
        throw error;
      },
    );
  const person = employeeService.get(id, context).then(async (employee) => {
    const departmentId = employee.department_id;
    const managerId = employee.manager_id;
    const [department, manager] = await Promise.all([
      departmentId === null
        ? null
        : employeeService.department(departmentId, context).then(
            (found): DepartmentRef => ({ id: found.id, name: found.name }),
            (error: unknown): DepartmentRef => {
              // A department deleted meanwhile, say: the employee still shows, the name does not.
              if (error instanceof ServiceHttpError && error.status === 404) return { id: departmentId, name: null };
              throw error;
            },
          ),
      managerId === null
        ? null
        : employeeService
            .byIds([managerId], context)
            .then(([found]): DepartmentRef => ({ id: managerId, name: found ? displayName(found) : null })),
    ]);
    return { employee, department, manager };
  });
  // Both start now; a failure of the employee (404, 401, down) rejects the whole answer.
  const [who, held] = await Promise.all([person, assets]);
  const unavailable: ServiceName[] = held.unavailable ? ["asset"] : [];
  return {
    employee: who.employee,
    department: who.department,
    manager: who.manager,
    assets: held.page,
    partial: unavailable.length > 0,
    unavailable,
  };
}

/**
 * `GET /api/departments`: every department with its head count from the dashboard service, both
 * asked in parallel; when the dashboard cannot answer the counts are null (`partial`).
 */
export async function departmentsWithHeadcounts(
  context: ServiceContext,
  query: { q?: string } = {},
): Promise<DepartmentsWithHeadcounts> {
  const counts = dashboardService.summary(context).then(
    (summary) => ({
      counts: new Map(
        summary.headcount.by_department
          .filter((row) => row.department_id !== null)
          .map((row) => [row.department_id as number, row.count]),
      ),
      unavailable: false,
    }),
    (error: unknown) => {
      if (isSecondaryFailure(error)) return { counts: null, unavailable: true };
      throw error;
    },
  );
  const [departments, headcount] = await Promise.all([employeeService.allDepartments(context, query), counts]);
  return {
    items: departments.map((department) => ({
      ...department,
      head_count: headcount.counts ? (headcount.counts.get(department.id) ?? 0) : null,
    })),
    partial: headcount.unavailable,
    unavailable: headcount.unavailable ? ["dashboard"] : [],
  };
}

/**
 * `GET /api/attendance/summary`: the month's summary per employee with their names (ONE
 * `?ids=` call per 500 employees). When the names cannot be had, the figures still come back.
 */
export async function attendanceOverview(
  query: { month: string; employee_id?: number },
  context: ServiceContext,
): Promise<AttendanceOverview> {
  const summary = await employeeService.attendanceSummary(query, context);
  const ids = [...new Set(summary.items.map((row) => row.employee_id))].sort((a, b) => a - b);
  const names = new Map<number, string>();
  let unavailable = false;
  if (ids.length > 0) {
    const batches: number[][] = [];
    for (let start = 0; start < ids.length; start += MAX_IDS_PER_CALL) {
      batches.push(ids.slice(start, start + MAX_IDS_PER_CALL));
    }
    try {
      const found = await Promise.all(batches.map((batch) => employeeService.byIds(batch, context)));
      for (const person of found.flat()) names.set(person.id, displayName(person));
    } catch (error) {
      if (!isSecondaryFailure(error)) throw error;
      unavailable = true;
    }
  }
  const items = summary.items
    .map((row) => ({ ...row, name: names.get(row.employee_id) ?? null }))
    .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "") || a.employee_id - b.employee_id);
  return { month: query.month, items, partial: unavailable, unavailable: unavailable ? ["employee"] : [] };
}
