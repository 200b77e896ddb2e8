import { Badge, Card, EmptyState } from "@repo/ui";
import type { Metadata } from "next";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { STATUS_LABELS } from "@/lib/assets-query";
import { dashboardAssetsWithOwners, type DashboardAssetsWithOwners } from "@/lib/compose/assets";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { AssetStatusChart, InvoicingChart } from "./charts";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "dashboard")) return <Forbidden />;

  let data: DashboardAssetsWithOwners;
  try {
    data = await dashboardAssetsWithOwners(serviceContext(session), { limit: 5 });
  } catch (error) {
    return <ServiceErrorState error={error} title="The dashboard could not be loaded" />;
  }
  const { summary, assigned } = data;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex items-baseline justify-between gap-4">
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        {summary?.updated_at ? (
          <p className="text-sm text-slate-500">Figures as of {formatDateTime(summary.updated_at)}</p>
        ) : null}
      </div>

      {data.partial ? (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          Some figures are missing: the {data.unavailable.join(" and ")} service
          {data.unavailable.length > 1 ? "s are" : " is"} unavailable right now.
        </p>
      ) : null}

      {summary ? (
        <>
          <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Figure label="Assets" value={String(summary.assets.count)} />
            {summary.assets.totals.map((total) => (
              <Figure
                key={total.currency}
                label={`Book value (${total.currency})`}
                value={formatMoney(total.book_value, total.currency)}
                note={`cost ${formatMoney(total.cost, total.currency)}`}
              />
            ))}
            <Figure label="Headcount" value={String(summary.headcount.total)} />
          </dl>
          <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
            <Card title="Assets by status">
              <AssetStatusChart
                data={Object.entries(summary.assets.by_status).map(([status, count]) => ({
                  status: STATUS_LABELS[status as keyof typeof STATUS_LABELS] ?? status,
                  count,
                }))}
              />
            </Card>
            <Card title="Invoiced and collected per month">
              <InvoicingChart months={summary.invoices.by_month} />
            </Card>
          </div>
        </>
      ) : null}

      <Card title="Recently bought assets in use" description="Who holds them, from the employee service">
        {assigned.items.length === 0 ? (
          <EmptyState title="No asset is assigned to anyone" />
        ) : (
          <table className="min-w-full text-sm">
            <caption className="sr-only">Recently bought assets in use</caption>
            <thead>
              <tr className="text-left text-slate-600">
                <th scope="col" className="py-1 pr-4 font-medium">Tag</th>
                <th scope="col" className="py-1 pr-4 font-medium">Name</th>
                <th scope="col" className="py-1 pr-4 font-medium">Bought</th>
                <th scope="col" className="py-1 font-medium">Held by</th>
              </tr>
            </thead>
            <tbody>
              {assigned.items.map((asset) => (
                <tr key={asset.id} className="border-t border-slate-100">
                  <td className="py-1 pr-4 font-mono text-xs">{asset.asset_tag}</td>
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
        )}
      </Card>
    </div>
  );
}

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold">{value}</dd>
      {note ? <dd className="text-xs text-slate-500">{note}</dd> : null}
    </div>
  );
}
