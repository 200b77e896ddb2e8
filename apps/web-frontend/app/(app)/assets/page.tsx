import { Loading } from "@repo/ui";
import type { Metadata } from "next";
import { Suspense } from "react";
import { Forbidden } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";
import { AssetsTable } from "./assets-table";

export const metadata: Metadata = { title: "Assets" };

export default async function AssetsPage() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "assets")) return <Forbidden />;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Assets</h1>
      <Suspense fallback={<Loading label="Loading assets…" />}>
        <AssetsTable />
      </Suspense>
    </div>
  );
}
