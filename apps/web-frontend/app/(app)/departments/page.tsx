import { Loading } from "@repo/ui";
import type { Metadata } from "next";
import { Suspense } from "react";
import { Forbidden } from "@/components/page-errors";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";
import { DepartmentsTree } from "./departments-tree";

export const metadata: Metadata = { title: "Departments" };

export default async function DepartmentsPage() {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "departments")) return <Forbidden />;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Departments</h1>
      <Suspense fallback={<Loading label="Loading departments…" />}>
        <DepartmentsTree canManage={canManage(roles, "employees")} />
      </Suspense>
    </div>
  );
}
