import Link from "next/link";
import { shiftMonth } from "@/lib/employees-query";

function monthName(month: string): string {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, mon - 1, 1)),
  );
}

/**
 * The month a page shows, kept in its URL (`?month=YYYY-MM`): previous/next links and a month
 * field submitted as a plain GET form (works without JavaScript; Enter submits). Other query
 * parameters of the page are kept.
 */
export function MonthPicker({
  month,
  path,
  keep = {},
  label = "Month",
}: {
  month: string;
  path: string;
  keep?: Record<string, string>;
  label?: string;
}) {
  const href = (value: string) => `${path}?${new URLSearchParams({ ...keep, month: value }).toString()}`;
  const linkClass =
    "inline-flex h-10 items-center rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";
  return (
    <form method="get" action={path} className="flex flex-wrap items-end gap-2">
      {Object.entries(keep).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Link href={href(shiftMonth(month, -1))} className={linkClass} aria-label={`Previous month, ${monthName(shiftMonth(month, -1))}`}>
        ←
      </Link>
      <div className="flex flex-col gap-1">
        <label htmlFor={`month-${path}`} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        <input
          id={`month-${path}`}
          type="month"
          name="month"
          defaultValue={month}
          key={month}
          required
          className="h-10 rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-600"
        />
      </div>
      <button
        type="submit"
        className="inline-flex h-10 items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-900 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
      >
        Show
      </button>
      <Link href={href(shiftMonth(month, 1))} className={linkClass} aria-label={`Next month, ${monthName(shiftMonth(month, 1))}`}>
        →
      </Link>
      <p className="pb-2 text-sm text-slate-700" aria-live="polite">
        {monthName(month)}
      </p>
    </form>
  );
}
