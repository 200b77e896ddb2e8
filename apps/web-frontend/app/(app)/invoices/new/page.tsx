import type { Metadata } from "next";
import Link from "next/link";
import { InvoiceForm } from "@/components/invoices/invoice-form";
import { Forbidden } from "@/components/page-errors";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "New invoice" };

export default async function NewInvoicePage() {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "invoices") || !canManage(roles, "invoices")) return <Forbidden />;
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/invoices" className="text-blue-800 underline-offset-2 hover:underline">
          Invoices
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold">New invoice</h1>
      <InvoiceForm invoice={null} />
    </div>
  );
}
