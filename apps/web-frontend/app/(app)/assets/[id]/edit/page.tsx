import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AssetForm } from "@/components/assets/asset-form";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { idSchema } from "@/lib/api/path";
import { canManage } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { assetService, type AssetDetail, type Category } from "@/lib/services/asset";
import { ServiceHttpError } from "@/lib/services/errors";

export const metadata: Metadata = { title: "Edit asset" };

export default async function EditAssetPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSession();
  if (!canManage(session.user.roles, "assets")) return <Forbidden />;
  const parsed = idSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const id = parsed.data;
  const context = serviceContext(session);
  let asset: AssetDetail;
  let categories: Category[];
  try {
    [asset, { items: categories }] = await Promise.all([assetService.get(id, context), assetService.categories(context)]);
  } catch (error) {
    if (error instanceof ServiceHttpError && error.status === 404) notFound();
    return <ServiceErrorState error={error} title="The asset could not be loaded" />;
  }
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/assets" className="text-blue-800 underline underline-offset-2">
          Assets
        </Link>{" "}
        /{" "}
        <Link href={`/assets/${asset.id}`} className="text-blue-800 underline underline-offset-2">
          {asset.asset_tag}
        </Link>{" "}
        / Edit
      </nav>
      <h1 className="text-2xl font-semibold">Edit {asset.name}</h1>
      {asset.status === "disposed" ? (
        <p className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          This asset was disposed of: the asset service no longer accepts changes to it.
        </p>
      ) : null}
      <AssetForm asset={asset} categories={categories} />
    </div>
  );
}
