import type { Metadata } from "next";
import { Forbidden } from "@/components/page-errors";
import { canSee } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";
import { CheckInOut } from "./check-in-out";

export const metadata: Metadata = { title: "My attendance" };

export default async function MyAttendancePage() {
  const session = await requireSession();
  if (!canSee(session.user.roles, "my-attendance")) return <Forbidden />;
  return (
    <div className="flex max-w-xl flex-col gap-4">
      <h1 className="text-2xl font-semibold">My attendance</h1>
      <CheckInOut />
    </div>
  );
}
