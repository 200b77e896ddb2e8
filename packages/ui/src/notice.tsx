import type { ReactNode } from "react";
import { cn } from "./cn";

export type NoticeTone = "success" | "error" | "warning" | "info";

const tones: Record<NoticeTone, string> = {
  success: "border-green-200 bg-green-50 text-green-900",
  error: "border-red-200 bg-red-50 text-red-900",
  warning: "border-amber-200 bg-amber-50 text-amber-900",
  info: "border-blue-200 bg-blue-50 text-blue-900",
};

/**
 * The outcome of an action, in words: "Invoice INV-0007 issued", or the service's message when it
 * refused. Errors are alerts (read out at once); the rest are polite status messages.
 */
export function Notice({
  tone = "info",
  children,
  onDismiss,
  className,
}: {
  tone?: NoticeTone;
  children: ReactNode;
  onDismiss?: () => void;
  className?: string;
}) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn("flex items-start justify-between gap-3 rounded-md border p-3 text-sm", tones[tone], className)}
    >
      <div>{children}</div>
      {onDismiss ? (
        <button
          type="button"
          onClick={onDismiss}
          aria-label="Dismiss"
          className="rounded px-1 leading-none opacity-70 hover:opacity-100 focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          ×
        </button>
      ) : null}
    </div>
  );
}
