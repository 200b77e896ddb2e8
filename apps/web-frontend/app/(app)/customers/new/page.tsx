import type { Metadata } from "next";
import Link from "next/link";
import { CustomerForm } from "@/components/invoices/customer-form";
import { Forbidden } from "@/components/page-errors";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "New customer" };

export default async function NewCustomerPage() {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "customers") || !canManage(roles, "invoices")) return <Forbidden />;
  return (
    <div className="flex max-w-3xl flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/customers" className="text-blue-800 underline-offset-2 hover:underline">
          Customers
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold">New customer</h1>
      <CustomerForm customer={null} canManage />
    </div>
  );
}
