import { Badge, Card, EmptyState, Notice } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { sameAmount, sumDecimals, taxByRate } from "@/components/invoices/decimal";
import { InvoiceActions } from "@/components/invoices/invoice-actions";
import { InvoiceStatusBadge } from "@/components/invoices/status-badge";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { idSchema } from "@/lib/api/path";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { invoiceWithEmployee, type InvoiceWithEmployee } from "@/lib/compose/invoices";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { PAYMENT_METHOD_LABELS } from "@/lib/invoices-query";

export const metadata: Metadata = { title: "Invoice" };

const NOTICES: Record<string, string> = {
  created: "Draft saved.",
  saved: "Changes saved.",
  issued: "Invoice saved and issued.",
};

export default async function InvoicePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const roles = session.user.roles;
  if (!canSee(roles, "invoices")) return <Forbidden />;
  const id = idSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const notice = (await searchParams).notice;
  let invoice: InvoiceWithEmployee;
  try {
    invoice = await invoiceWithEmployee(id.data, serviceContext(session));
  } catch (error) {
    return <ServiceErrorState error={error} title="The invoice could not be loaded" />;
  }
  const money = (amount: string) => formatMoney(amount, invoice.currency);
  const title = invoice.number ? `Invoice ${invoice.number}` : `Draft invoice #${invoice.id}`;
  const taxes = taxByRate(invoice.lines);
  const taxesAddUp = sameAmount(sumDecimals(taxes.map((row) => row.tax)), invoice.tax_total);

  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/invoices" className="text-blue-800 underline-offset-2 hover:underline">
          Invoices
        </Link>
      </nav>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{title}</h1>
        <InvoiceStatusBadge status={invoice.status} overdue={invoice.is_overdue} />
      </div>
      {invoice.partial ? (
        <Notice tone="warning">The responsible employee cannot be named right now: the employee service is unavailable.</Notice>
      ) : null}
      {invoice.status === "void" ? (
        <Notice tone="warning">
          Voided {formatDateTime(invoice.voided_at)}: {invoice.void_reason ?? "no reason given"}
        </Notice>
      ) : null}
      <InvoiceActions
        invoice={invoice}
        canManage={canManage(roles, "invoices")}
        initialNotice={typeof notice === "string" ? (NOTICES[notice] ?? null) : null}
      />

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <Card title="Customer">
          <p className="font-medium">
            {canSee(roles, "customers") ? (
              <Link href={`/customers/${invoice.customer_id}`} className="text-blue-800 underline-offset-2 hover:underline">
                {invoice.customer_name}
              </Link>
            ) : (
              invoice.customer_name
            )}
          </p>
        </Card>
        <Card title="Details">
          <dl className="grid grid-cols-2 gap-1 text-sm">
            <dt className="text-slate-700">Issued</dt>
            <dd>{formatDate(invoice.issue_date)}</dd>
            <dt className="text-slate-700">Due</dt>
            <dd>
              {formatDate(invoice.due_date)}
              {invoice.is_overdue ? (
                <>
                  {" "}
                  <Badge tone="danger">Overdue</Badge>
                </>
              ) : null}
            </dd>
            <dt className="text-slate-700">Currency</dt>
            <dd>{invoice.currency}</dd>
            <dt className="text-slate-700">Responsible</dt>
            <dd>
              {invoice.employee
                ? (invoice.employee.name ??
                  (invoice.employee.unavailable ? "Name unavailable" : `Employee #${invoice.employee.id}`))
                : "—"}
            </dd>
            {invoice.issued_at ? (
              <>
                <dt className="text-slate-700">Issued at</dt>
                <dd>{formatDateTime(invoice.issued_at)}</dd>
              </>
            ) : null}
          </dl>
        </Card>
        <Card title="Balance">
          <dl className="grid grid-cols-2 gap-1 text-sm">
            <dt className="text-slate-700">Total</dt>
            <dd className="text-right tabular-nums">{money(invoice.total)}</dd>
            <dt className="text-slate-700">Paid</dt>
            <dd className="text-right tabular-nums">{money(invoice.amount_paid)}</dd>
            <dt className="text-slate-700">Credited</dt>
            <dd className="text-right tabular-nums">{money(invoice.credited_total)}</dd>
            <dt className="font-semibold">Balance due</dt>
            <dd className="text-right font-semibold tabular-nums">{money(invoice.balance_due)}</dd>
          </dl>
        </Card>
      </div>

      {invoice.notes ? (
        <Card title="Notes">
          <p className="text-sm whitespace-pre-line">{invoice.notes}</p>
        </Card>
      ) : null}

      <Card title="Lines">
        {invoice.lines.length === 0 ? (
          <EmptyState title="No lines yet" />
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm">
              <caption className="sr-only">Lines of {title}</caption>
              <thead className="bg-slate-50 text-left text-slate-700">
                <tr>
                  <th scope="col" className="px-2 py-2">#</th>
                  <th scope="col" className="px-2 py-2">Description</th>
                  <th scope="col" className="px-2 py-2 text-right">Quantity</th>
                  <th scope="col" className="px-2 py-2 text-right">Unit price</th>
                  <th scope="col" className="px-2 py-2 text-right">Discount</th>
                  <th scope="col" className="px-2 py-2 text-right">Tax rate</th>
                  <th scope="col" className="px-2 py-2 text-right">Net</th>
                  <th scope="col" className="px-2 py-2 text-right">Tax</th>
                  <th scope="col" className="px-2 py-2 text-right">Total</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {invoice.lines.map((line) => (
                  <tr key={line.id}>
                    <td className="px-2 py-2">{line.position}</td>
                    <td className="px-2 py-2">{line.description}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{Number(line.quantity).toString()}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{money(line.unit_price)}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{Number(line.discount_percent)} %</td>
                    <td className="px-2 py-2 text-right tabular-nums">{Number(line.tax_rate)} %</td>
                    <td className="px-2 py-2 text-right tabular-nums">{money(line.net_amount)}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{money(line.tax_amount)}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{money(line.total)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot className="border-t border-slate-300">
                <tr>
                  <th scope="row" colSpan={6} className="px-2 py-2 text-right font-medium">
                    Subtotal, tax and total
                  </th>
                  <td className="px-2 py-2 text-right tabular-nums">{money(invoice.subtotal)}</td>
                  <td className="px-2 py-2 text-right tabular-nums">{money(invoice.tax_total)}</td>
                  <td className="px-2 py-2 text-right font-semibold tabular-nums">{money(invoice.total)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </Card>

      {taxes.length > 0 && taxesAddUp ? (
        <Card title="Taxes">
          <table className="text-sm">
            <caption className="sr-only">Tax by rate</caption>
            <thead className="text-left text-slate-700">
              <tr>
                <th scope="col" className="py-1 pr-6">Rate</th>
                <th scope="col" className="py-1 pr-6 text-right">Taxable</th>
                <th scope="col" className="py-1 text-right">Tax</th>
              </tr>
            </thead>
            <tbody>
              {taxes.map((row) => (
                <tr key={row.rate}>
                  <th scope="row" className="py-1 pr-6 text-left font-normal">{row.rate} %</th>
                  <td className="py-1 pr-6 text-right tabular-nums">{money(row.net)}</td>
                  <td className="py-1 text-right tabular-nums">{money(row.tax)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}

      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <Card title="Payments">
          {invoice.payments.length === 0 ? (
            <p className="text-sm text-slate-700">No payments yet.</p>
          ) : (
            <table className="min-w-full text-sm">
              <caption className="sr-only">Payments of {title}</caption>
              <thead className="text-left text-slate-700">
                <tr>
                  <th scope="col" className="py-1 pr-3">Date</th>
                  <th scope="col" className="py-1 pr-3">Kind</th>
                  <th scope="col" className="py-1 pr-3">Method</th>
                  <th scope="col" className="py-1 pr-3">Reference</th>
                  <th scope="col" className="py-1 text-right">Amount</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {invoice.payments.map((payment) => (
                  <tr key={payment.id}>
                    <td className="py-1 pr-3">{formatDateTime(payment.paid_at)}</td>
                    <td className="py-1 pr-3">{payment.kind === "refund" ? "Refund" : "Payment"}</td>
                    <td className="py-1 pr-3">{PAYMENT_METHOD_LABELS[payment.method]}</td>
                    <td className="py-1 pr-3">{payment.reference ?? "—"}</td>
                    <td className="py-1 text-right tabular-nums">{formatMoney(payment.amount, payment.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card title="Credit notes">
          {invoice.credit_notes.length === 0 ? (
            <p className="text-sm text-slate-700">No credit notes.</p>
          ) : (
            <ul className="flex flex-col gap-3 text-sm">
              {invoice.credit_notes.map((note) => (
                <li key={note.id} className="rounded-md border border-slate-200 p-2">
                  <p className="flex justify-between gap-2">
                    <span className="font-mono text-xs">{note.number}</span>
                    <span className="tabular-nums font-medium">{formatMoney(note.total, note.currency)}</span>
                  </p>
                  <p className="text-slate-700">
                    {formatDate(note.issue_date)} · {note.reason}
                    {note.refund_amount && Number(note.refund_amount) > 0
                      ? ` · refunded ${formatMoney(note.refund_amount, note.currency)}`
                      : ""}
                  </p>
                  <ul className="mt-1 list-disc pl-5 text-slate-700">
                    {note.lines.map((line) => (
                      <li key={line.id}>
                        {line.description}
                        {line.quantity ? ` × ${Number(line.quantity)}` : ""}: {formatMoney(line.total, note.currency)}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <p className="text-xs text-slate-600">
        Created {formatDateTime(invoice.created_at)} by {invoice.created_by}; last changed {formatDateTime(invoice.updated_at)} by{" "}
        {invoice.updated_by}.
      </p>
    </div>
  );
}
