import type { ReactNode } from "react";
import { CommandPalette, PaletteButton } from "@/components/command-palette";
import { NavLinks } from "@/components/nav-links";
import { SignOutButton } from "@/components/sign-out-button";
import { actionsFor, navigationFor } from "@/lib/auth/roles";
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
  const sections = navigationFor(roles);
  const pages = sections.flatMap((section) => section.items.map(({ label, href }) => ({ label, href })));
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
          <NavLinks sections={sections} />
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-4 border-b border-slate-200 bg-white px-6 py-3">
          <PaletteButton />
          <CommandPalette pages={pages} actions={actionsFor(roles)} />
          <div className="flex items-center gap-4">
            <p className="text-sm text-slate-700">
              <span className="font-medium">{session.user.email}</span>
              <span className="text-slate-600"> · {ROLE_LABELS[mainRole] ?? mainRole}</span>
            </p>
            <SignOutButton />
          </div>
        </header>
        <main id="main" tabIndex={-1} className="flex-1 p-6 focus:outline-none">
          {children}
        </main>
      </div>
    </div>
  );
}
