import { Card, EmptyState, Notice } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { MonthPicker } from "@/components/employees/month-picker";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { attendanceOverview, type AttendanceOverview } from "@/lib/compose/employees";
import { monthOf } from "@/lib/employees-query";

export const metadata: Metadata = { title: "Attendance overview" };

const hours = (value: number) => value.toLocaleString("en-GB", { maximumFractionDigits: 2 });

/** HR's month at a glance: per employee, days worked, remote, absent, on leave and hours. */
export default async function AttendanceOverviewPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!canSee(session.user.roles, "employees")) return <Forbidden />;
  const month = monthOf((await searchParams).month);
  let overview: AttendanceOverview;
  try {
    overview = await attendanceOverview({ month }, serviceContext(session));
  } catch (error) {
    return <ServiceErrorState error={error} title="The attendance could not be loaded" />;
  }
  const totals = overview.items.reduce(
    (sum, row) => ({
      present: sum.present + row.days_present,
      remote: sum.remote + row.days_remote,
      absent: sum.absent + row.days_absent,
      leave: sum.leave + row.days_leave,
      hours: sum.hours + row.hours_worked,
    }),
    { present: 0, remote: 0, absent: 0, leave: 0, hours: 0 },
  );
  const th = "px-3 py-2 text-left font-semibold text-slate-700";
  const thNum = "px-3 py-2 text-right font-semibold text-slate-700";
  const td = "px-3 py-2 text-right tabular-nums";
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/employees" className="text-blue-800 underline-offset-2 hover:underline">
          Employees
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold">Attendance overview</h1>
      <MonthPicker month={month} path="/employees/attendance" />
      {overview.partial ? (
        <Notice tone="warning">Names cannot be shown right now; the figures are complete.</Notice>
      ) : null}
      <Card>
        {overview.items.length === 0 ? (
          <EmptyState title="No attendance recorded in this month" />
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Attendance per employee in {month}</caption>
              <thead className="bg-slate-50">
                <tr>
                  <th scope="col" className={th}>Employee</th>
                  <th scope="col" className={thNum}>Days worked</th>
                  <th scope="col" className={thNum}>of which remote</th>
                  <th scope="col" className={thNum}>Days absent</th>
                  <th scope="col" className={thNum}>Days on leave</th>
                  <th scope="col" className={thNum}>Hours worked</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {overview.items.map((row) => (
                  <tr key={row.employee_id}>
                    <th scope="row" className="px-3 py-2 text-left font-normal">
                      <Link
                        href={`/employees/${row.employee_id}?month=${month}`}
                        className="font-medium text-blue-800 underline-offset-2 hover:underline"
                      >
                        {row.name ?? `Employee #${row.employee_id}`}
                      </Link>
                    </th>
                    <td className={td}>{row.days_present}</td>
                    <td className={td}>{row.days_remote}</td>
                    <td className={td}>{row.days_absent}</td>
                    <td className={td}>{row.days_leave}</td>
                    <td className={td}>{hours(row.hours_worked)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot className="border-t-2 border-slate-200 font-semibold">
                <tr>
                  <th scope="row" className="px-3 py-2 text-left">
                    Total ({overview.items.length})
                  </th>
                  <td className={td}>{totals.present}</td>
                  <td className={td}>{totals.remote}</td>
                  <td className={td}>{totals.absent}</td>
                  <td className={td}>{totals.leave}</td>
                  <td className={td}>{hours(totals.hours)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
