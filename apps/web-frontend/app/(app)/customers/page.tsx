import { Loading } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { CustomersTable } from "@/components/invoices/customers-table";
import { Forbidden } from "@/components/page-errors";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Customers" };

export default async function CustomersPage() {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "customers")) return <Forbidden />;
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Customers</h1>
        {canManage(roles, "invoices") ? (
          <Link
            href="/customers/new"
            className="inline-flex h-10 items-center rounded-md bg-blue-700 px-4 text-sm font-medium text-white hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
          >
            New customer
          </Link>
        ) : null}
      </div>
      <Suspense fallback={<Loading label="Loading customers…" />}>
        <CustomersTable />
      </Suspense>
    </div>
  );
}
