import { Card, EmptyState, ErrorState } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { AgingChart } from "@/components/invoices/aging-chart";
import { AsOfPicker } from "@/components/invoices/as-of-picker";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { formatDate, formatMoney } from "@/lib/format";
import { agingQuerySchema, todayIso } from "@/lib/invoices-query";
import { invoiceService, type Aging } from "@/lib/services/invoice";

export const metadata: Metadata = { title: "Aging report" };

const BUCKETS = [
  ["current", "Not yet due"],
  ["days_1_30", "1–30 days"],
  ["days_31_60", "31–60 days"],
  ["days_61_90", "61–90 days"],
  ["days_90_plus", "Over 90 days"],
] as const;

/** What customers owe per currency on a day, by how long it has been overdue. */
export default async function AgingPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!canSee(session.user.roles, "invoices")) return <Forbidden />;
  const raw = await searchParams;
  const parsed = agingQuerySchema.safeParse({ as_of: typeof raw.as_of === "string" ? raw.as_of : undefined });
  const today = todayIso();
  const header = (asOf: string) => (
    <>
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/invoices" className="text-blue-800 underline-offset-2 hover:underline">
          Invoices
        </Link>
      </nav>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold">Aging report</h1>
        <AsOfPicker asOf={asOf} today={today} />
      </div>
    </>
  );
  if (!parsed.success) {
    return (
      <div className="flex flex-col gap-4">
        {header(today)}
        <ErrorState title="Not a date" message="Use a date as YYYY-MM-DD." code="validation_error" />
      </div>
    );
  }
  let aging: Aging;
  try {
    aging = await invoiceService.aging(parsed.data.as_of, serviceContext(session));
  } catch (error) {
    return (
      <div className="flex flex-col gap-4">
        {header(parsed.data.as_of ?? today)}
        <ServiceErrorState error={error} title="The aging report could not be loaded" />
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-4">
      {header(aging.as_of)}
      <p className="text-sm text-slate-700">
        Open balances of issued and partly paid invoices on {formatDate(aging.as_of)}, by days past their due date.
      </p>
      {aging.items.length === 0 ? (
        <EmptyState title="Nothing is owed" description="No invoice had an open balance on that day." />
      ) : (
        aging.items.map((row) => {
          const bars = BUCKETS.map(([key, label]) => ({
            bucket: label,
            value: Number(row[key]),
            label: formatMoney(row[key], row.currency),
          }));
          return (
            <Card key={row.currency} title={`${row.currency}: ${formatMoney(row.total, row.currency)} open`}>
              <div className="grid grid-cols-1 gap-6 lg:grid-cols-[2fr_1fr]">
                <AgingChart bars={bars} currency={row.currency} />
                <table className="self-start text-sm">
                  <caption className="sr-only">Open balance in {row.currency} by age</caption>
                  <thead className="text-left text-slate-700">
                    <tr>
                      <th scope="col" className="py-1 pr-4">Age</th>
                      <th scope="col" className="py-1 text-right">Amount</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {BUCKETS.map(([key, label]) => (
                      <tr key={key}>
                        <th scope="row" className="py-1 pr-4 text-left font-normal">{label}</th>
                        <td className="py-1 text-right tabular-nums">{formatMoney(row[key], row.currency)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot className="border-t border-slate-300">
                    <tr>
                      <th scope="row" className="py-1 pr-4 text-left">Total</th>
                      <td className="py-1 text-right font-semibold tabular-nums">{formatMoney(row.total, row.currency)}</td>
                    </tr>
                  </tfoot>
                </table>
              </div>
            </Card>
          );
        })
      )}
    </div>
  );
}
