import { Card, ErrorState } from "@repo/ui";
import type { Metadata } from "next";
import { AttendanceDays, SummaryFigures } from "@/components/employees/attendance-views";
import { MonthPicker } from "@/components/employees/month-picker";
import { Forbidden } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { monthOf, monthRange } from "@/lib/employees-query";
import { employeeService } from "@/lib/services/employee";
import { describeError, isServiceError, ServiceHttpError, toErrorAnswer } from "@/lib/services/errors";
import { CheckInOut } from "./check-in-out";

export const metadata: Metadata = { title: "My attendance" };

async function settle<T>(load: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; message: string; code: string }> {
  try {
    return { ok: true, value: await load };
  } catch (error) {
    if ((error instanceof ServiceHttpError && error.status === 401) || !isServiceError(error)) throw error;
    const { body } = toErrorAnswer(error);
    return { ok: false, message: describeError(body), code: body.code };
  }
}

export default async function MyAttendancePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!canSee(session.user.roles, "my-attendance")) return <Forbidden />;
  const month = monthOf((await searchParams).month);
  const { from, to } = monthRange(month);
  const employeeId = session.user.employeeId ?? undefined;
  const context = serviceContext(session);
  const [summary, days] = await Promise.all([
    settle(employeeService.attendanceSummary({ month, employee_id: employeeId }, context)),
    settle(employeeService.attendance({ employee_id: employeeId, from, to, limit: 31, sort: "-date" }, context)),
  ]);
  return (
    <div className="flex max-w-4xl flex-col gap-4">
      <h1 className="text-2xl font-semibold">My attendance</h1>
      <CheckInOut />
      <Card title="My month">
        <div className="flex flex-col gap-4">
          <MonthPicker month={month} path="/my/attendance" />
          {summary.ok ? (
            <SummaryFigures summary={summary.value.items[0] ?? null} />
          ) : (
            <ErrorState title="The month's summary could not be loaded" message={summary.message} code={summary.code} />
          )}
          {days.ok ? (
            <AttendanceDays days={days.value.items} />
          ) : (
            <ErrorState title="The days could not be loaded" message={days.message} code={days.code} />
          )}
        </div>
      </Card>
    </div>
  );
}
