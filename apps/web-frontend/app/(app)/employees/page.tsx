import type { Metadata } from "next";
import { NotBuiltYet } from "@/components/not-built";
import { Forbidden } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Employees" };

export default async function Page() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "employees")) return <Forbidden />;
  return <NotBuiltYet title="Employees" what="Employees, departments and roles will be managed here." />;
}
