import { Badge, Card, EmptyState } from "@repo/ui";
import type { Metadata } from "next";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { STATUS_LABELS } from "@/lib/assets-query";
import { canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { listAssetsWithOwners, type AssetsWithOwnersPage } from "@/lib/compose/assets";
import { formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "My assets" };

/** The assets the signed-in employee holds (the asset service filters by their token too). */
export default async function MyAssetsPage() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "my-assets")) return <Forbidden />;
  const employeeId = session.user.employeeId;
  if (employeeId === null) {
    return <EmptyState title="No employee record" description="Your login is not linked to an employee." />;
  }
  let page: AssetsWithOwnersPage;
  try {
    page = await listAssetsWithOwners(
      { assigned_employee_id: employeeId, sort: "asset_tag", limit: 200, offset: 0 },
      serviceContext(session),
    );
  } catch (error) {
    return <ServiceErrorState error={error} title="Your assets could not be loaded" />;
  }
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">My assets</h1>
      {page.items.length === 0 ? (
        <EmptyState title="You hold no assets" />
      ) : (
        <ul className="grid grid-cols-1 gap-4 md:grid-cols-2">
          {page.items.map((asset) => (
            <li key={asset.id}>
              <Card title={asset.name} actions={<Badge tone="success">{STATUS_LABELS[asset.status]}</Badge>}>
                <dl className="grid grid-cols-2 gap-1 text-sm">
                  <dt className="text-slate-600">Tag</dt>
                  <dd className="font-mono">{asset.asset_tag}</dd>
                  <dt className="text-slate-600">Serial number</dt>
                  <dd>{asset.serial_number ?? "—"}</dd>
                  <dt className="text-slate-600">Location</dt>
                  <dd>{asset.location ?? "—"}</dd>
                  <dt className="text-slate-600">Bought</dt>
                  <dd>{formatDate(asset.purchase_date)}</dd>
                </dl>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
