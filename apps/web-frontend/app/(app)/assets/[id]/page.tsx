import { Card, EmptyState, Notice } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { AssetActions } from "@/components/assets/asset-actions";
import { DepreciationSchedule } from "@/components/assets/depreciation-chart";
import { MaintenanceLog } from "@/components/assets/maintenance-log";
import { StatusBadge } from "@/components/assets/status-badge";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { METHOD_LABELS } from "@/lib/assets-query";
import { idSchema } from "@/lib/api/path";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { assetDetail, type AssetDetailView, type AssetOwner } from "@/lib/compose/assets";
import { ServiceHttpError } from "@/lib/services/errors";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";

export const metadata: Metadata = { title: "Asset" };

function Owner({ owner }: { owner: AssetOwner | null }) {
  if (!owner) return <span className="text-slate-600">Nobody (not assigned)</span>;
  if (owner.name) return <>{owner.name}</>;
  return owner.unavailable ? (
    <span className="text-amber-900">Employee #{owner.id} (name unavailable)</span>
  ) : (
    <span className="text-slate-700">Employee #{owner.id}</span>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="text-sm text-slate-900">{children}</dd>
    </div>
  );
}

const SAVED: Record<string, string> = { created: "registered", updated: "saved" };

export default async function AssetPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!canSee(session.user.roles, "assets")) return <Forbidden />;
  const [{ id: raw }, search] = await Promise.all([params, searchParams]);
  const parsed = idSchema.safeParse(raw);
  if (!parsed.success) notFound();
  const id = parsed.data;
  let view: AssetDetailView;
  try {
    view = await assetDetail(id, serviceContext(session));
  } catch (error) {
    if (error instanceof ServiceHttpError && error.status === 404) notFound();
    return <ServiceErrorState error={error} title="The asset could not be loaded" />;
  }
  const manager = canManage(session.user.roles, "assets");
  const { asset, category, history, maintenance, schedule } = view;
  const saved = typeof search.saved === "string" ? SAVED[search.saved] : undefined;
  const money = (value: string | null | undefined) => formatMoney(value, asset.currency);

  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/assets" className="text-blue-800 underline underline-offset-2">
          Assets
        </Link>{" "}
        / <span className="font-mono">{asset.asset_tag}</span>
      </nav>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{asset.name}</h1>
        <span className="font-mono text-sm text-slate-700">{asset.asset_tag}</span>
        <StatusBadge status={asset.status} />
      </div>
      {saved ? <Notice tone="success">Asset {asset.asset_tag} {saved}.</Notice> : null}
      {view.partial ? (
        <Notice tone="warning">Employee names cannot be shown right now: the employee service is unavailable.</Notice>
      ) : null}
      {manager ? <AssetActions asset={asset} /> : null}

      <Card title="Details">
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Item label="Held by">
            <Owner owner={asset.assigned_employee} />
          </Item>
          <Item label="Category">{category ? `${category.name} (${category.code})` : `#${asset.category_id}`}</Item>
          <Item label="Location">{asset.location ?? "—"}</Item>
          <Item label="Serial number">{asset.serial_number ?? "—"}</Item>
          <Item label="Bought">{formatDate(asset.purchase_date)}</Item>
          <Item label="Cost">{money(asset.purchase_cost)}</Item>
          <Item label="Book value today">
            <strong>{money(asset.book_value)}</strong>
          </Item>
          <Item label="Accumulated depreciation">{money(asset.accumulated_depreciation)}</Item>
          <Item label="Salvage value">{money(asset.salvage_value)}</Item>
          <Item label="Useful life">{asset.useful_life_months} months</Item>
          <Item label="Method">
            {METHOD_LABELS[asset.depreciation_method]}
            {asset.declining_rate ? ` (${asset.declining_rate}% a year)` : ""}
          </Item>
          <Item label="Currency">{asset.currency}</Item>
          {asset.status === "disposed" ? (
            <>
              <Item label="Disposed on">{formatDate(asset.disposal_date)}</Item>
              <Item label="Proceeds">{money(asset.disposal_proceeds)}</Item>
              <Item label="Book value at disposal">{money(asset.book_value_at_disposal)}</Item>
              <Item label="Gain or loss">{money(asset.gain_loss)}</Item>
              <Item label="Why">{asset.disposal_reason ?? "—"}</Item>
            </>
          ) : null}
          <Item label="Registered">
            {formatDateTime(asset.created_at)} by {asset.created_by}
          </Item>
          <Item label="Last changed">
            {formatDateTime(asset.updated_at)} by {asset.updated_by}
          </Item>
        </dl>
        {asset.notes ? (
          <div className="mt-4">
            <h3 className="text-xs font-medium uppercase tracking-wide text-slate-600">Notes</h3>
            <p className="text-sm whitespace-pre-wrap text-slate-900">{asset.notes}</p>
          </div>
        ) : null}
      </Card>

      <Card title="Depreciation" description={`${METHOD_LABELS[schedule.method]}, in ${schedule.currency}`}>
        <DepreciationSchedule schedule={schedule} bookValueToday={asset.book_value} />
      </Card>

      <Card title="Assignment history" description={history.total && history.total > history.items.length ? `The latest ${history.items.length} of ${history.total}` : undefined}>
        {history.items.length === 0 ? (
          <EmptyState title="Never assigned" />
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-left text-sm">
              <caption className="sr-only">Who had the asset, newest first</caption>
              <thead className="bg-slate-50">
                <tr>
                  <th scope="col" className="px-3 py-2 font-semibold">Employee</th>
                  <th scope="col" className="px-3 py-2 font-semibold">From</th>
                  <th scope="col" className="px-3 py-2 font-semibold">Until</th>
                  <th scope="col" className="px-3 py-2 font-semibold">Why it came back</th>
                  <th scope="col" className="px-3 py-2 font-semibold">Notes</th>
                  <th scope="col" className="px-3 py-2 font-semibold">By</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {history.items.map((row) => (
                  <tr key={row.id} className="align-top">
                    <td className="px-3 py-2">
                      <Owner owner={row.employee} />
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(row.assigned_at)}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{row.returned_at ? formatDateTime(row.returned_at) : <strong>Still holds it</strong>}</td>
                    <td className="px-3 py-2">{row.return_reason ?? "—"}</td>
                    <td className="px-3 py-2">{row.notes ?? "—"}</td>
                    <td className="px-3 py-2 text-slate-700">
                      {row.assigned_by}
                      {row.returned_by ? ` / ${row.returned_by}` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Card title="Maintenance">
        <MaintenanceLog logs={maintenance.items} assetId={asset.id} canManage={manager} />
      </Card>
    </div>
  );
}
