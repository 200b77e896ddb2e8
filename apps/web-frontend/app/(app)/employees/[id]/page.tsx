import { Badge, Card, ErrorState, Notice, type BadgeTone } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AttendanceDays, SummaryFigures } from "@/components/employees/attendance-views";
import { EmployeeStatusBadge, RoleBadges } from "@/components/employees/badges";
import { EmployeeActions } from "@/components/employees/employee-actions";
import { MonthPicker } from "@/components/employees/month-picker";
import { RecordDay } from "@/components/employees/record-day";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { idSchema } from "@/lib/api/path";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { employeeWithAssets, type EmployeeWithAssets } from "@/lib/compose/employees";
import { monthOf, monthRange } from "@/lib/employees-query";
import { formatDate, formatMoney } from "@/lib/format";
import type { Asset } from "@/lib/services/asset";
import {
  displayName,
  employeeService,
  type Attendance,
  type MonthlySummary,
  type RoleInfo,
} from "@/lib/services/employee";
import { describeError, isServiceError, ServiceHttpError, toErrorAnswer } from "@/lib/services/errors";

export const metadata: Metadata = { title: "Employee" };

const ASSET_TONES: Record<Asset["status"], BadgeTone> = {
  in_stock: "info",
  assigned: "success",
  in_maintenance: "warning",
  retired: "neutral",
  disposed: "danger",
};

type Loaded<T> = { ok: true; value: T } | { ok: false; message: string; code: string };

/** A secondary section's load: its failure is shown in the section, not instead of the page. */
async function section<T>(load: Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await load };
  } catch (error) {
    if (error instanceof ServiceHttpError && error.status === 401) throw error;
    if (!isServiceError(error)) throw error;
    const { body } = toErrorAnswer(error);
    return { ok: false, message: describeError(body), code: body.code };
  }
}

const SAVED: Record<string, string> = {
  created: "Employee created.",
  updated: "Changes saved.",
};

export default async function EmployeePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "employees")) return <Forbidden />;
  const id = idSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const search = await searchParams;
  const month = monthOf(search.month);
  const { from, to } = monthRange(month);
  const manage = canManage(roles, "employees");
  const context = serviceContext(session);

  let answer: EmployeeWithAssets;
  let days: Loaded<{ items: Attendance[] }>;
  let summary: Loaded<{ items: MonthlySummary[] }>;
  let roleList: RoleInfo[] = [];
  try {
    [answer, days, summary, roleList] = await Promise.all([
      employeeWithAssets(id.data, context),
      section(employeeService.attendance({ employee_id: id.data, from, to, limit: 31, sort: "-date" }, context)),
      section(employeeService.attendanceSummary({ month, employee_id: id.data }, context)),
      manage ? employeeService.roles(context) : Promise.resolve([]),
    ]);
  } catch (error) {
    if (error instanceof ServiceHttpError && error.status === 404) {
      return <ServiceErrorState error={error} title="No such employee" />;
    }
    return <ServiceErrorState error={error} title="The employee could not be loaded" />;
  }
  const { employee, department, manager, assets } = answer;
  const name = displayName(employee);
  const saved = typeof search.saved === "string" ? SAVED[search.saved] : undefined;

  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/employees" className="text-blue-800 underline-offset-2 hover:underline">
          Employees
        </Link>
      </nav>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex flex-col gap-1">
          <h1 className="text-2xl font-semibold">{name}</h1>
          <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
            {employee.job_title ?? "No job title"}
            <EmployeeStatusBadge status={employee.status} />
          </p>
        </div>
        {manage ? <EmployeeActions employee={employee} roles={roleList} /> : null}
      </div>
      {saved ? <Notice tone="success">{saved}</Notice> : null}

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Details">
          <dl className="grid grid-cols-[10rem_1fr] gap-x-3 gap-y-2 text-sm">
            <dt className="text-slate-600">Email</dt>
            <dd>
              <a href={`mailto:${employee.email}`} className="text-blue-800 underline-offset-2 hover:underline">
                {employee.email}
              </a>
            </dd>
            <dt className="text-slate-600">Phone</dt>
            <dd>{employee.phone ?? "—"}</dd>
            <dt className="text-slate-600">Department</dt>
            <dd>
              {department ? (
                <Link
                  href={`/departments?department=${department.id}`}
                  className="text-blue-800 underline-offset-2 hover:underline"
                >
                  {department.name ?? `Department #${department.id}`}
                </Link>
              ) : (
                "—"
              )}
            </dd>
            <dt className="text-slate-600">Manager</dt>
            <dd>
              {manager ? (
                <Link href={`/employees/${manager.id}`} className="text-blue-800 underline-offset-2 hover:underline">
                  {manager.name ?? `Employee #${manager.id}`}
                </Link>
              ) : (
                "—"
              )}
            </dd>
            <dt className="text-slate-600">Hired</dt>
            <dd>{formatDate(employee.hire_date)}</dd>
            <dt className="text-slate-600">Login</dt>
            <dd>{employee.has_login ? "Can sign in" : "No login"}</dd>
            <dt className="text-slate-600">Roles</dt>
            <dd>
              <RoleBadges roles={employee.roles} />
            </dd>
          </dl>
        </Card>

        <Card
          title="Assets held"
          description={assets ? `${assets.total ?? assets.items.length} assigned` : undefined}
        >
          {assets === null ? (
            <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
              The assets cannot be shown right now: the asset service is unavailable.
            </p>
          ) : assets.items.length === 0 ? (
            <p className="text-sm text-slate-700">No assets are assigned to {name}.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {assets.items.map((asset) => (
                <li key={asset.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span>
                    <span className="font-mono text-xs text-slate-700">{asset.asset_tag}</span>{" "}
                    <span className="font-medium">{asset.name}</span>
                  </span>
                  <span className="flex items-center gap-2">
                    <span className="text-slate-700">{formatMoney(asset.purchase_cost, asset.currency)}</span>
                    <Badge tone={ASSET_TONES[asset.status]}>{asset.status.replace("_", " ")}</Badge>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <Card
        title="Attendance"
        actions={
          manage ? (
            <RecordDay
              employeeId={employee.id}
              name={name}
              defaultDate={new Date().toISOString().slice(0, 10)}
              label="Record a day…"
            />
          ) : undefined
        }
      >
        <div className="flex flex-col gap-4">
          <MonthPicker month={month} path={`/employees/${employee.id}`} />
          {summary.ok ? (
            <SummaryFigures summary={summary.value.items[0] ?? null} />
          ) : (
            <ErrorState title="The month's summary could not be loaded" message={summary.message} code={summary.code} />
          )}
          {days.ok ? (
            <AttendanceDays days={days.value.items} correct={manage ? { employeeId: employee.id, name } : undefined} />
          ) : (
            <ErrorState title="The days could not be loaded" message={days.message} code={days.code} />
          )}
        </div>
      </Card>
    </div>
  );
}
