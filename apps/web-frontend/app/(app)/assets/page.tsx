import { Loading, Notice } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Forbidden } from "@/components/page-errors";
import { canManage, canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";
import { AssetsTable } from "./assets-table";

export const metadata: Metadata = { title: "Assets" };

const LINK_BUTTON =
  "inline-flex h-10 items-center rounded-md px-4 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

export default async function AssetsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const { deleted } = await searchParams;
  if (!canSee(session.user.roles, "assets")) return <Forbidden />;
  const manager = canManage(session.user.roles, "assets");
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Assets</h1>
        {manager ? (
          <div className="flex gap-2">
            <Link href="/assets/import" className={`${LINK_BUTTON} border border-slate-300 bg-white text-slate-900 hover:bg-slate-50`}>
              Import CSV
            </Link>
            <Link href="/assets/new" className={`${LINK_BUTTON} bg-blue-700 text-white hover:bg-blue-800`}>
              New asset
            </Link>
          </div>
        ) : null}
      </div>
      {typeof deleted === "string" ? <Notice tone="success">Asset {deleted} deleted.</Notice> : null}
      <Suspense fallback={<Loading label="Loading assets…" />}>
        <AssetsTable canManage={manager} />
      </Suspense>
    </div>
  );
}
