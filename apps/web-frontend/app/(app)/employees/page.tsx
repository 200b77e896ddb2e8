import { Loading } from "@repo/ui";
import type { Metadata } from "next";
import { Suspense } from "react";
import { LinkButton } from "@/components/employees/link-button";
import { Forbidden } from "@/components/page-errors";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";
import { EmployeesTable } from "./employees-table";

export const metadata: Metadata = { title: "Employees" };

export default async function EmployeesPage() {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "employees")) return <Forbidden />;
  const manage = canManage(roles, "employees");
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Employees</h1>
        <div className="flex gap-2">
          <LinkButton href="/employees/attendance">Attendance overview</LinkButton>
          {manage ? (
            <LinkButton href="/employees/new" variant="primary">
              New employee
            </LinkButton>
          ) : null}
        </div>
      </div>
      <Suspense fallback={<Loading label="Loading employees…" />}>
        <EmployeesTable canManage={manage} />
      </Suspense>
    </div>
  );
}
