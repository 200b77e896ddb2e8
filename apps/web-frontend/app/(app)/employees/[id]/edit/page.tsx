import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EmployeeForm } from "@/components/employees/employee-form";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { idSchema } from "@/lib/api/path";
import { canManage } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { displayName, employeeService, type EmployeeRecord } from "@/lib/services/employee";
import { ServiceHttpError } from "@/lib/services/errors";
import { formOptions } from "../../form-data";

export const metadata: Metadata = { title: "Edit employee" };

export default async function EditEmployeePage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSession();
  if (!canManage(session.user.roles, "employees")) return <Forbidden />;
  const id = idSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const context = serviceContext(session);
  let employee: EmployeeRecord;
  let options: Awaited<ReturnType<typeof formOptions>>;
  try {
    [employee, options] = await Promise.all([employeeService.get(id.data, context), formOptions(context)]);
  } catch (error) {
    if (error instanceof ServiceHttpError && error.status === 404) notFound();
    return <ServiceErrorState error={error} title="The employee could not be loaded" />;
  }
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/employees" className="text-blue-800 underline-offset-2 hover:underline">
          Employees
        </Link>
        <span aria-hidden="true" className="px-1 text-slate-600">/</span>
        <Link href={`/employees/${employee.id}`} className="text-blue-800 underline-offset-2 hover:underline">
          {displayName(employee)}
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold">Edit {displayName(employee)}</h1>
      <EmployeeForm employee={employee} {...options} />
    </div>
  );
}
