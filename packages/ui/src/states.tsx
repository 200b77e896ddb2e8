import type { ReactNode } from "react";
import { cn } from "./cn";

/** Nothing to show: says so, and what to do about it. */
export function EmptyState({
  title,
  description,
  action,
  className,
}: {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("flex flex-col items-center gap-2 p-8 text-center", className)}>
      <p className="font-medium text-slate-900">{title}</p>
      {description ? <p className="text-sm text-slate-600">{description}</p> : null}
      {action}
    </div>
  );
}

/**
 * Something failed: the message (the service's `detail`), its `code` for support, and a way
 * forward. `role="alert"` so a screen reader announces it.
 */
export function ErrorState({
  title = "Something went wrong",
  message,
  code,
  action,
  className,
}: {
  title?: string;
  message: ReactNode;
  code?: string | null;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div
      role="alert"
      className={cn(
        "flex flex-col items-center gap-2 rounded-md border border-red-200 bg-red-50 p-6 text-center",
        className,
      )}
    >
      <p className="font-medium text-red-900">{title}</p>
      <p className="text-sm text-red-800">{message}</p>
      {code ? <p className="text-xs text-red-700">Code: {code}</p> : null}
      {action}
    </div>
  );
}

/** Work in progress: a spinner with a label that assistive technology reads out. */
export function Loading({ label = "Loading…", className }: { label?: string; className?: string }) {
  return (
    <div
      role="status"
      aria-live="polite"
      className={cn("flex items-center justify-center gap-2 p-6 text-slate-600", className)}
    >
      <span
        aria-hidden="true"
        className="size-5 animate-spin rounded-full border-2 border-current border-r-transparent"
      />
      <span className="text-sm">{label}</span>
    </div>
  );
}

/** A grey placeholder block for skeleton screens. */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cn("animate-pulse rounded bg-slate-200", className)} />;
}
