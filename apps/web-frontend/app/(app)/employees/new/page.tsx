import type { Metadata } from "next";
import Link from "next/link";
import { EmployeeForm } from "@/components/employees/employee-form";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { canManage } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { formOptions } from "../form-data";

export const metadata: Metadata = { title: "New employee" };

export default async function NewEmployeePage() {
  const session = await requireSession();
  if (!canManage(session.user.roles, "employees")) return <Forbidden />;
  let options: Awaited<ReturnType<typeof formOptions>>;
  try {
    options = await formOptions(serviceContext(session));
  } catch (error) {
    return <ServiceErrorState error={error} title="The form could not be prepared" />;
  }
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/employees" className="text-blue-800 underline-offset-2 hover:underline">
          Employees
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold">New employee</h1>
      <EmployeeForm {...options} />
    </div>
  );
}
