import Link from "next/link";
import type { ReactNode } from "react";
import { cn } from "@repo/ui/cn";

const variants = {
  primary: "bg-blue-700 text-white hover:bg-blue-800",
  secondary: "border border-slate-300 bg-white text-slate-900 hover:bg-slate-50",
} as const;

/** A link that looks like a Button (navigation, not an action). */
export function LinkButton({
  href,
  variant = "secondary",
  size = "md",
  children,
}: {
  href: string;
  variant?: keyof typeof variants;
  size?: "sm" | "md";
  children: ReactNode;
}) {
  return (
    <Link
      href={href}
      className={cn(
        "inline-flex items-center justify-center rounded-md font-medium",
        "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600",
        size === "sm" ? "h-8 px-3 text-sm" : "h-10 px-4 text-sm",
        variants[variant],
      )}
    >
      {children}
    </Link>
  );
}
