import { Loading } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { InvoicesTable } from "@/components/invoices/invoices-table";
import { Forbidden } from "@/components/page-errors";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Invoices" };

const LINK_BUTTON =
  "inline-flex h-10 items-center rounded-md px-4 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

export default async function InvoicesPage() {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "invoices")) return <Forbidden />;
  const manage = canManage(roles, "invoices");
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Invoices</h1>
        <div className="flex gap-2">
          <Link href="/invoices/aging" className={`${LINK_BUTTON} border border-slate-300 bg-white text-slate-900 hover:bg-slate-50`}>
            Aging report
          </Link>
          {canSee(roles, "customers") ? (
            <Link href="/customers" className={`${LINK_BUTTON} border border-slate-300 bg-white text-slate-900 hover:bg-slate-50`}>
              Customers
            </Link>
          ) : null}
          {manage ? (
            <Link href="/invoices/new" className={`${LINK_BUTTON} bg-blue-700 text-white hover:bg-blue-800`}>
              New invoice
            </Link>
          ) : null}
        </div>
      </div>
      <Suspense fallback={<Loading label="Loading invoices…" />}>
        <InvoicesTable mode="all" canManage={manage} />
      </Suspense>
    </div>
  );
}
