import { Notice } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CustomerForm } from "@/components/invoices/customer-form";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { idSchema } from "@/lib/api/path";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { customerService, type Customer } from "@/lib/services/invoice";

export const metadata: Metadata = { title: "Customer" };

export default async function CustomerPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "customers")) return <Forbidden />;
  const id = idSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const created = (await searchParams).created === "1";
  let customer: Customer;
  try {
    customer = await customerService.get(id.data, serviceContext(session));
  } catch (error) {
    return <ServiceErrorState error={error} title="The customer could not be loaded" />;
  }
  const manage = canManage(roles, "invoices");
  return (
    <div className="flex max-w-3xl flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/customers" className="text-blue-800 underline-offset-2 hover:underline">
          Customers
        </Link>
      </nav>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">{customer.name}</h1>
        <div className="flex gap-2">
          <Link
            href={`/invoices?customer_id=${customer.id}`}
            className="inline-flex h-10 items-center rounded-md border border-slate-300 bg-white px-4 text-sm font-medium text-slate-900 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-blue-600"
          >
            Invoices
          </Link>
        </div>
      </div>
      {created ? <Notice tone="success">Customer added.</Notice> : null}
      <CustomerForm customer={customer} canManage={manage} />
    </div>
  );
}
