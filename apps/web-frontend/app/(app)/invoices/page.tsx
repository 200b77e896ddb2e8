import type { Metadata } from "next";
import { NotBuiltYet } from "@/components/not-built";
import { Forbidden } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Invoices" };

export default async function Page() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "invoices")) return <Forbidden />;
  return <NotBuiltYet title="Invoices" what="Customers, invoices, payments and credit notes will be managed here." />;
}
