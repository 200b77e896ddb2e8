import { Loading } from "@repo/ui";
import type { Metadata } from "next";
import { Suspense } from "react";
import { InvoicesTable } from "@/components/invoices/invoices-table";
import { Forbidden } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "My invoices" };

/** The invoices the signed-in employee is responsible for: the invoice service limits the list. */
export default async function MyInvoicesPage() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "my-invoices")) return <Forbidden />;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">My invoices</h1>
      <p className="text-sm text-slate-700">The invoices you are responsible for. Download any of them as a PDF.</p>
      <Suspense fallback={<Loading label="Loading your invoices…" />}>
        <InvoicesTable mode="mine" employeeId={session.user.employeeId ?? undefined} />
      </Suspense>
    </div>
  );
}
