import type { ReactNode } from "react";
import { NavLinks } from "@/components/nav-links";
import { SignOutButton } from "@/components/sign-out-button";
import { navigationFor } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

const ROLE_LABELS: Record<string, string> = {
  admin: "Administrator",
  hr_manager: "HR manager",
  asset_manager: "Asset manager",
  accountant: "Accountant",
  employee: "Employee",
};

/** Every signed-in page: the navigation of the user's roles, who they are, and sign-out. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  const roles = session.user.roles;
  const mainRole = roles.find((role) => role !== "employee") ?? roles[0] ?? "employee";
  return (
    <div className="flex min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm"
      >
        Skip to content
      </a>
      <aside className="flex w-60 shrink-0 flex-col gap-6 bg-slate-900 p-4 text-white">
        <p className="px-3 text-lg font-semibold">TB ERP</p>
        <nav aria-label="Main" className="flex flex-col gap-5">
          <NavLinks sections={navigationFor(roles)} />
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-4 border-b border-slate-200 bg-white px-6 py-3">
          <p className="text-sm text-slate-700">
            <span className="font-medium">{session.user.email}</span>
            <span className="text-slate-500"> · {ROLE_LABELS[mainRole] ?? mainRole}</span>
          </p>
          <SignOutButton />
        </header>
        <main id="main" tabIndex={-1} className="flex-1 p-6 focus:outline-none">
          {children}
        </main>
      </div>
    </div>
  );
}
