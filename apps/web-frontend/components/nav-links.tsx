"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@repo/ui/cn";
import type { NavSection } from "@/lib/auth/roles";

/** The areas a user may open, the current one marked for assistive technology. */
export function NavLinks({ sections }: { sections: NavSection[] }) {
  const pathname = usePathname();
  return (
    <>
      {sections.map((section) => (
        <div key={section.label} className="flex flex-col gap-1">
          <h2 className="px-3 text-xs font-semibold tracking-wide text-slate-400 uppercase">
            {section.label}
          </h2>
          <ul className="flex flex-col gap-0.5">
            {section.items.map((item) => {
              const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
              return (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    aria-current={current ? "page" : undefined}
                    className={cn(
                      "block rounded-md px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-blue-400",
                      current ? "bg-slate-700 font-medium text-white" : "text-slate-200 hover:bg-slate-800",
                    )}
                  >
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </>
  );
}
