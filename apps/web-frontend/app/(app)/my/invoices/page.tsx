import type { Metadata } from "next";
import { NotBuiltYet } from "@/components/not-built";
import { Forbidden } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "My invoices" };

export default async function Page() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "my-invoices")) return <Forbidden />;
  return <NotBuiltYet title="My invoices" what="The invoices you are responsible for will be listed here." />;
}
