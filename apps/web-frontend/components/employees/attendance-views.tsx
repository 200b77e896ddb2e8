import { formatDate, formatDateTime } from "@/lib/format";

/** The time of an instant; with its date too when it is not on `day` (a night shift's end). */
function clock(instant: string | null, day: string): string {
  if (!instant) return "—";
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  const sameDay = date.toISOString().slice(0, 10) === day;
  return sameDay
    ? new Intl.DateTimeFormat("en-GB", { timeStyle: "short" }).format(date)
    : formatDateTime(instant);
}
// Types only.
import type { Attendance, MonthlySummary } from "@/lib/services/employee";
import { AttendanceStatusBadge } from "./badges";
import { RecordDay } from "./record-day";

/** One employee's month in figures. */
export function SummaryFigures({ summary }: { summary: MonthlySummary | null }) {
  const figures: [string, string][] = summary
    ? [
        ["Days worked", String(summary.days_present)],
        ["of which remote", String(summary.days_remote)],
        ["Days absent", String(summary.days_absent)],
        ["Days on leave", String(summary.days_leave)],
        ["Hours worked", summary.hours_worked.toLocaleString("en-GB", { maximumFractionDigits: 2 })],
      ]
    : [];
  if (!summary) return <p className="text-sm text-slate-700">No attendance recorded this month.</p>;
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
      {figures.map(([label, value]) => (
        <div key={label} className="rounded-md bg-slate-50 p-3">
          <dt className="text-xs text-slate-600">{label}</dt>
          <dd className="text-lg font-semibold text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The days of a month, newest first; HR may correct each. */
export function AttendanceDays({
  days,
  correct,
}: {
  days: Attendance[];
  /** When set, each row has a "Correct" button (HR). */
  correct?: { employeeId: number; name: string };
}) {
  if (days.length === 0) return <p className="text-sm text-slate-700">No days recorded in this month.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Attendance days</caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className="px-3 py-2 text-left font-semibold text-slate-700">Day</th>
            <th scope="col" className="px-3 py-2 text-left font-semibold text-slate-700">Status</th>
            <th scope="col" className="px-3 py-2 text-left font-semibold text-slate-700">In</th>
            <th scope="col" className="px-3 py-2 text-left font-semibold text-slate-700">Out</th>
            <th scope="col" className="px-3 py-2 text-right font-semibold text-slate-700">Hours</th>
            <th scope="col" className="px-3 py-2 text-left font-semibold text-slate-700">Note</th>
            {correct ? (
              <th scope="col" className="px-3 py-2 text-left font-semibold text-slate-700">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {days.map((day) => (
            <tr key={day.id}>
              <td className="px-3 py-2 whitespace-nowrap">{formatDate(day.date)}</td>
              <td className="px-3 py-2">
                <AttendanceStatusBadge status={day.status} />
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{clock(day.check_in_at, day.date)}</td>
              <td className="px-3 py-2 whitespace-nowrap">{clock(day.check_out_at, day.date)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{day.worked_hours ?? "—"}</td>
              <td className="px-3 py-2 text-slate-700">{day.note ?? ""}</td>
              {correct ? (
                <td className="px-3 py-2">
                  <RecordDay
                    employeeId={correct.employeeId}
                    name={correct.name}
                    day={day}
                    defaultDate={day.date}
                    label="Correct"
                  />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
