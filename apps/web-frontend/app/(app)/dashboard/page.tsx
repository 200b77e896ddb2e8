import { Badge, Card, EmptyState } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { AgingChart } from "@/components/invoices/aging-chart";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { STATUS_LABELS } from "@/lib/assets-query";
import { dashboardView, type DashboardView } from "@/lib/compose/dashboard";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import type { DashboardSummary } from "@/lib/services/dashboard";
import type { Aging } from "@/lib/services/invoice";
import { CountChart, MonthChart } from "./charts";
import { ChartBeside, CountTable, formatCount, MoneyTable } from "./tables";

export const metadata: Metadata = { title: "Dashboard" };

const AGING_BUCKETS = [
  ["current", "Not yet due"],
  ["days_1_30", "1–30 days"],
  ["days_31_60", "31–60 days"],
  ["days_61_90", "61–90 days"],
  ["days_90_plus", "Over 90 days"],
] as const;

const monthFormat = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });

/** "2026-07" → "Jul 2026" (the service's month as is when it is not one). */
function monthLabel(month: string): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? month : monthFormat.format(date);
}

export default async function DashboardPage() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "dashboard")) return <Forbidden />;

  let data: DashboardView;
  try {
    data = await dashboardView(serviceContext(session), { limit: 5 });
  } catch (error) {
    return <ServiceErrorState error={error} title="The dashboard could not be loaded" />;
  }
  const { summary, assigned, aging } = data;
  const invoiceMissing = data.unavailable.includes("invoice");

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-4">
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        {summary?.updated_at ? (
          <p className="text-sm text-slate-600">Figures as of {formatDateTime(summary.updated_at)}</p>
        ) : null}
      </div>

      {data.partial ? (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          Some figures are missing: the {data.unavailable.join(" and ")} service
          {data.unavailable.length > 1 ? "s are" : " is"} unavailable right now.
        </p>
      ) : null}

      {summary ? <FiguresRow summary={summary} /> : null}

      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        {summary ? (
          <>
            <AssetsByStatus summary={summary} />
            <AssetsByCategory summary={summary} />
            <InvoicingByMonth summary={summary} />
            <HeadcountByDepartment summary={summary} />
          </>
        ) : null}
        {aging ? <AgingCard aging={aging} /> : null}
        {!aging && invoiceMissing ? (
          <Card id="aging" title="Receivables aging">
            <p className="text-sm text-slate-700">The invoice service is unavailable right now, so the aging is missing.</p>
          </Card>
        ) : null}
      </div>

      <Card
        id="assigned"
        title="Recently bought assets in use"
        description="Who holds them, from the employee service"
      >
        {assigned.items.length === 0 ? (
          <EmptyState title="No asset is assigned to anyone" />
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm">
              <caption className="sr-only">Recently bought assets in use</caption>
              <thead>
                <tr className="text-left text-slate-700">
                  <th scope="col" className="py-1 pr-4 font-medium">Tag</th>
                  <th scope="col" className="py-1 pr-4 font-medium">Name</th>
                  <th scope="col" className="py-1 pr-4 font-medium">Bought</th>
                  <th scope="col" className="py-1 font-medium">Held by</th>
                </tr>
              </thead>
              <tbody>
                {assigned.items.map((asset) => (
                  <tr key={asset.id} className="border-t border-slate-100">
                    <td className="py-1 pr-4 font-mono text-xs">
                      <Link href={`/assets/${asset.id}`} className="text-blue-800 underline-offset-2 hover:underline">
                        {asset.asset_tag}
                      </Link>
                    </td>
                    <td className="py-1 pr-4">{asset.name}</td>
                    <td className="py-1 pr-4">{formatDate(asset.purchase_date)}</td>
                    <td className="py-1">
                      {asset.assigned_employee?.name ??
                        (asset.assigned_employee?.unavailable ? (
                          <Badge tone="warning">Owner unavailable</Badge>
                        ) : (
                          `Employee #${asset.assigned_employee_id}`
                        ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

/** The top row: how many assets, what they are worth per currency (book value and cost), headcount. */
function FiguresRow({ summary }: { summary: DashboardSummary }) {
  return (
    <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
      <Figure label="Assets" value={formatCount(summary.assets.count)} />
      {summary.assets.totals.map((total) => (
        <Figure
          key={total.currency}
          label={`Asset value (${total.currency})`}
          value={formatMoney(total.book_value, total.currency)}
          note={`Book value; cost ${formatMoney(total.cost, total.currency)}`}
        />
      ))}
      <Figure label="Headcount" value={formatCount(summary.headcount.total)} />
    </dl>
  );
}

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{value}</dd>
      {note ? <dd className="text-xs text-slate-600">{note}</dd> : null}
    </div>
  );
}

function AssetsByStatus({ summary }: { summary: DashboardSummary }) {
  // The statuses in their life-cycle order, then any the app does not know yet.
  const known = Object.keys(STATUS_LABELS);
  const rows = Object.entries(summary.assets.by_status)
    .sort(([a], [b]) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99))
    .map(([status, count]) => ({
      key: status,
      label: STATUS_LABELS[status as keyof typeof STATUS_LABELS] ?? status,
      count,
    }));
  return (
    <Card id="assets-by-status" title="Assets by status">
      {rows.length === 0 ? (
        <EmptyState title="No assets yet" />
      ) : (
        <ChartBeside
          chart={<CountChart bars={rows} name="Assets" />}
          table={
            <CountTable caption="Assets by status" labelHeader="Status" rows={rows} total={summary.assets.count} />
          }
        />
      )}
    </Card>
  );
}

function AssetsByCategory({ summary }: { summary: DashboardSummary }) {
  const rows = summary.assets.by_category.map((row) => ({
    key: String(row.category_id ?? "none"),
    label: row.name ?? (row.category_id === null ? "No category" : `Category #${row.category_id}`),
    count: row.count,
  }));
  return (
    <Card id="assets-by-category" title="Assets by category">
      {rows.length === 0 ? (
        <EmptyState title="No assets yet" />
      ) : (
        <ChartBeside
          chart={<CountChart bars={rows} name="Assets" color="#0f766e" />}
          table={
            <CountTable caption="Assets by category" labelHeader="Category" rows={rows} total={summary.assets.count} />
          }
        />
      )}
    </Card>
  );
}

function HeadcountByDepartment({ summary }: { summary: DashboardSummary }) {
  const rows = summary.headcount.by_department.map((row) => ({
    key: String(row.department_id ?? "none"),
    label: row.name ?? (row.department_id === null ? "No department" : `Department #${row.department_id}`),
    count: row.count,
  }));
  return (
    <Card id="headcount" title="Headcount by department">
      {rows.length === 0 ? (
        <EmptyState title="No employees yet" />
      ) : (
        <ChartBeside
          chart={<CountChart bars={rows} name="Employees" color="#7c3aed" />}
          table={
            <CountTable
              caption="Headcount by department"
              labelHeader="Department"
              rows={rows}
              total={summary.headcount.total}
            />
          }
        />
      )}
    </Card>
  );
}

/** Invoiced, collected and outstanding per month: one chart and table per currency. */
function InvoicingByMonth({ summary }: { summary: DashboardSummary }) {
  const months = summary.invoices.by_month;
  const currencies = [...new Set(months.map((row) => row.currency))].sort();
  return (
    <Card
      id="invoicing"
      title="Invoiced, collected and outstanding per month"
      className="xl:col-span-2"
    >
      {currencies.length === 0 ? (
        <EmptyState title="No invoices yet" />
      ) : (
        <div className="flex flex-col gap-6">
          {currencies.map((currency) => {
            const rows = months
              .filter((row) => row.currency === currency)
              .sort((a, b) => a.month.localeCompare(b.month));
            const money = (amount: string) => formatMoney(amount, currency);
            return (
              <section key={currency} aria-labelledby={`invoicing-${currency}`}>
                <h3 id={`invoicing-${currency}`} className="mb-2 text-sm font-semibold text-slate-800">
                  In {currency}
                </h3>
                <ChartBeside
                  layout="wide"
                  chart={
                    <MonthChart
                      months={rows.map((row) => ({
                        month: monthLabel(row.month),
                        invoiced: Number(row.invoiced),
                        collected: Number(row.collected),
                        outstanding: Number(row.outstanding),
                        labels: {
                          invoiced: money(row.invoiced),
                          collected: money(row.collected),
                          outstanding: money(row.outstanding),
                        },
                      }))}
                    />
                  }
                  table={
                    <MoneyTable
                      caption={`Invoiced, collected and outstanding per month, in ${currency}`}
                      columns={["Month", "Invoiced", "Collected", "Outstanding"]}
                      rows={rows.map((row) => ({
                        key: row.month,
                        label: monthLabel(row.month),
                        amounts: [money(row.invoiced), money(row.collected), money(row.outstanding)],
                      }))}
                    />
                  }
                />
              </section>
            );
          })}
        </div>
      )}
    </Card>
  );
}

/** What customers owe per currency by age, from the invoice service (only for roles that read invoices). */
function AgingCard({ aging }: { aging: Aging }) {
  return (
    <Card
      id="aging"
      title="Receivables aging"
      description={`Open balances on ${formatDate(aging.as_of)}, by days past due`}
      actions={
        <Link href="/invoices/aging" className="text-sm text-blue-800 underline-offset-2 hover:underline">
          Full aging report
        </Link>
      }
    >
      {aging.items.length === 0 ? (
        <EmptyState title="Nothing is owed" />
      ) : (
        <div className="flex flex-col gap-6">
          {aging.items.map((row) => (
            <section key={row.currency} aria-labelledby={`aging-${row.currency}`}>
              <h3 id={`aging-${row.currency}`} className="mb-2 text-sm font-semibold text-slate-800">
                {row.currency}: {formatMoney(row.total, row.currency)} open
              </h3>
              <ChartBeside
                layout="half"
                chart={
                  <AgingChart
                    currency={row.currency}
                    bars={AGING_BUCKETS.map(([key, label]) => ({
                      bucket: label,
                      value: Number(row[key]),
                      label: formatMoney(row[key], row.currency),
                    }))}
                  />
                }
                table={
                  <MoneyTable
                    caption={`Open balance in ${row.currency} by age`}
                    columns={["Age", "Amount"]}
                    rows={AGING_BUCKETS.map(([key, label]) => ({
                      key,
                      label,
                      amounts: [formatMoney(row[key], row.currency)],
                    }))}
                    footer={{ label: "Total", amounts: [formatMoney(row.total, row.currency)] }}
                  />
                }
              />
            </section>
          ))}
        </div>
      )}
    </Card>
  );
}
