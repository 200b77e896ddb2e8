import type { Metadata } from "next";
import Link from "next/link";
import { AssetForm } from "@/components/assets/asset-form";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { canManage } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { assetService, type Category } from "@/lib/services/asset";

export const metadata: Metadata = { title: "New asset" };

export default async function NewAssetPage() {
  const session = await requireSession();
  if (!canManage(session.user.roles, "assets")) return <Forbidden />;
  let categories: Category[];
  try {
    categories = (await assetService.categories(serviceContext(session))).items;
  } catch (error) {
    return <ServiceErrorState error={error} title="The categories could not be loaded" />;
  }
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/assets" className="text-blue-800 underline underline-offset-2">
          Assets
        </Link>{" "}
        / New
      </nav>
      <h1 className="text-2xl font-semibold">New asset</h1>
      <AssetForm categories={categories} />
    </div>
  );
}
