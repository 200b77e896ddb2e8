import { ErrorState } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { InvoiceForm } from "@/components/invoices/invoice-form";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { idSchema } from "@/lib/api/path";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { invoiceWithEmployee, type InvoiceWithEmployee } from "@/lib/compose/invoices";

export const metadata: Metadata = { title: "Edit invoice" };

export default async function EditInvoicePage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "invoices") || !canManage(roles, "invoices")) return <Forbidden />;
  const id = idSchema.safeParse((await params).id);
  if (!id.success) notFound();
  let invoice: InvoiceWithEmployee;
  try {
    invoice = await invoiceWithEmployee(id.data, serviceContext(session));
  } catch (error) {
    return <ServiceErrorState error={error} title="The invoice could not be loaded" />;
  }
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="flex gap-2 text-sm">
        <Link href="/invoices" className="text-blue-800 underline-offset-2 hover:underline">
          Invoices
        </Link>
        <span aria-hidden="true">/</span>
        <Link href={`/invoices/${invoice.id}`} className="text-blue-800 underline-offset-2 hover:underline">
          Draft #{invoice.id}
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold">Edit draft #{invoice.id}</h1>
      {invoice.status === "draft" ? (
        <InvoiceForm invoice={invoice} />
      ) : (
        <ErrorState
          title="Only drafts can be edited"
          message={`This invoice is ${invoice.status.replace("_", " ")}: correct it with a credit note instead.`}
          code="invoice_not_draft"
        />
      )}
    </div>
  );
}
