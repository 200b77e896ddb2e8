"use client";

import { useEffect, useRef } from "react";
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney } from "@/lib/format";
// Types only.
import type { Schedule } from "@/lib/services/asset";

/**
 * The depreciation schedule as a chart (book value and accumulated depreciation by month) and,
 * beside it, the same numbers as a table — the table is also what a screen reader gets.
 * The chart draws numbers; the table shows the service's own decimal strings.
 */
export function DepreciationSchedule({ schedule, bookValueToday }: { schedule: Schedule; bookValueToday: string | null | undefined }) {
  const { currency, items } = schedule;
  const scroller = useRef<HTMLDivElement>(null);
  // Open the table at this month (its row is highlighted), not at the purchase.
  useEffect(() => {
    const box = scroller.current;
    const row = box?.querySelector<HTMLElement>('[aria-current="date"]');
    if (box && row) box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 2);
  }, [items]);
  if (items.length === 0) return <p className="text-sm text-slate-700">No depreciation schedule (nothing to depreciate).</p>;
  const data = items.map((row) => ({
    period: row.period,
    book_value: Number(row.book_value),
    accumulated: Number(row.accumulated_depreciation),
  }));
  const thisMonth = new Date().toISOString().slice(0, 7);
  const money = (value: number) => formatMoney(value.toFixed(2), currency);
  return (
    <div className="grid gap-4 lg:grid-cols-5">
      <figure className="lg:col-span-3">
        <figcaption className="mb-2 text-sm text-slate-700">
          Book value today: <strong>{formatMoney(bookValueToday, currency)}</strong> · {items.length} months, from {items[0]?.period} to{" "}
          {items.at(-1)?.period}
        </figcaption>
        <div className="h-72" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 12, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="period" tick={{ fontSize: 11 }} minTickGap={24} />
              <YAxis tick={{ fontSize: 11 }} width={80} tickFormatter={(value: number) => money(value)} />
              <Tooltip formatter={(value) => money(Number(value))} />
              <Legend />
              <Area isAnimationActive={false} type="stepAfter" dataKey="book_value" name="Book value" stroke="#1d4ed8" fill="#bfdbfe" />
              <Area isAnimationActive={false} type="stepAfter" dataKey="accumulated" name="Accumulated depreciation" stroke="#b45309" fill="#fde68a" fillOpacity={0.4} />
            </AreaChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <div ref={scroller} className="relative max-h-80 overflow-y-auto rounded-md border border-slate-200 lg:col-span-2" tabIndex={0} role="region" aria-label="Depreciation schedule, month by month">
        <table className="min-w-full text-right text-sm">
          <caption className="sr-only">Depreciation schedule in {currency}</caption>
          <thead className="sticky top-0 bg-slate-50">
            <tr>
              <th scope="col" className="px-2 py-1 text-left font-semibold">Month</th>
              <th scope="col" className="px-2 py-1 font-semibold">Depreciation</th>
              <th scope="col" className="px-2 py-1 font-semibold">Accumulated</th>
              <th scope="col" className="px-2 py-1 font-semibold">Book value</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((row) => (
              <tr key={row.period} className={row.period === thisMonth ? "bg-blue-50 font-medium" : undefined} aria-current={row.period === thisMonth ? "date" : undefined}>
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  {row.period}
                </th>
                <td className="px-2 py-1">{formatMoney(row.depreciation_amount, currency)}</td>
                <td className="px-2 py-1">{formatMoney(row.accumulated_depreciation, currency)}</td>
                <td className="px-2 py-1">{formatMoney(row.book_value, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
