import { Badge, Card } from "@repo/ui";
import type { Metadata } from "next";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { displayName, employeeService, type Employee } from "@/lib/services/employee";
import { formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "My profile" };

export default async function MyProfilePage() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "my-profile")) return <Forbidden />;
  let me: Employee;
  try {
    me = await employeeService.me(serviceContext(session));
  } catch (error) {
    return <ServiceErrorState error={error} title="Your profile could not be loaded" />;
  }
  return (
    <div className="flex max-w-xl flex-col gap-4">
      <h1 className="text-2xl font-semibold">My profile</h1>
      <Card title={displayName(me)} description={me.job_title ?? undefined}>
        <dl className="grid grid-cols-2 gap-2 text-sm">
          <dt className="text-slate-600">Email</dt>
          <dd>{me.email}</dd>
          <dt className="text-slate-600">Hired</dt>
          <dd>{formatDate(me.hire_date)}</dd>
          <dt className="text-slate-600">Status</dt>
          <dd>{me.status.replace("_", " ")}</dd>
          <dt className="text-slate-600">Roles</dt>
          <dd className="flex flex-wrap gap-1">
            {me.roles.map((role) => (
              <Badge key={role}>{role.replace("_", " ")}</Badge>
            ))}
          </dd>
        </dl>
      </Card>
    </div>
  );
}
