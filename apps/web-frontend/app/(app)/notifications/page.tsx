import { Loading } from "@repo/ui";
import type { Metadata } from "next";
import { Suspense } from "react";
import { Forbidden } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";
import { NotificationsTable } from "./notifications-table";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "notifications")) return <Forbidden />;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Notifications</h1>
      <p className="text-sm text-slate-700">The payment receipts sent to customers, and how sending them went.</p>
      <Suspense fallback={<Loading label="Loading notifications…" />}>
        <NotificationsTable />
      </Suspense>
    </div>
  );
}
