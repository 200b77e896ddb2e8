import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { startPage } from "@/lib/auth/roles";
import { getSession } from "@/lib/auth/session";
import { safeCallbackUrl } from "@/lib/safe-callback";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

const REASONS: Record<string, string> = {
  expired: "Your session has expired. Sign in again to continue.",
  signed_out: "You have signed out.",
};

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const reason = typeof params.reason === "string" ? params.reason : undefined;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  const session = await getSession();
  // Already signed in (and not sent here because the session ran out): nothing to do here.
  if (session && !session.expired && reason !== "expired") {
    redirect(callbackUrl ?? startPage(session.user.roles));
  }
  return (
    <main id="main" className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="mb-1 text-xl font-semibold">Sign in to TB ERP</h1>
        <p className="mb-4 text-sm text-slate-600">Assets, invoices and HR in one place.</p>
        {reason && REASONS[reason] ? (
          <p role="status" className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
            {REASONS[reason]}
          </p>
        ) : null}
        <LoginForm callbackUrl={callbackUrl} />
      </div>
    </main>
  );
}
