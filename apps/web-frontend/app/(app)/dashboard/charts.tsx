"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

/**
 * The dashboard's charts. Each stands beside a visible table holding the same figures, so the
 * chart itself is hidden from assistive tech (`aria-hidden`) and has nothing focusable:
 * Recharts' `accessibilityLayer` (on by default, it makes the chart a tab stop) is turned off.
 * Bar lengths come from numbers; every figure a reader sees is a label formatted on the server.
 */

export interface CountBar {
  label: string;
  count: number;
}

/** Counts as horizontal bars (one row per status, category or department). */
export function CountChart({ bars, name, color = "#1d4ed8" }: { bars: CountBar[]; name: string; color?: string }) {
  const height = Math.max(120, bars.length * 36 + 40);
  return (
    <div style={{ height }} aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart
          data={bars}
          layout="vertical"
          margin={{ top: 4, right: 16, bottom: 4, left: 4 }}
          accessibilityLayer={false}
        >
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11 }} />
          <YAxis type="category" dataKey="label" width={120} interval={0} tick={{ fontSize: 11 }} />
          <Tooltip cursor={{ fill: "#f1f5f9" }} />
          <Bar isAnimationActive={false} dataKey="count" name={name} fill={color} radius={[0, 4, 4, 0]} barSize={20} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface MonthBar {
  month: string;
  invoiced: number;
  collected: number;
  outstanding: number;
  /** The amounts as shown to the reader (formatMoney), for the tooltip. */
  labels: { invoiced: string; collected: string; outstanding: string };
}

const MONTH_SERIES = [
  { key: "invoiced", name: "Invoiced", fill: "#1d4ed8" },
  { key: "collected", name: "Collected", fill: "#15803d" },
  { key: "outstanding", name: "Outstanding", fill: "#b45309" },
] as const;

const compact = new Intl.NumberFormat("en-GB", { notation: "compact", maximumFractionDigits: 1 });

/** One currency's invoiced, collected and outstanding amounts per month. */
export function MonthChart({ months }: { months: MonthBar[] }) {
  return (
    <div className="h-64" aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={months} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="month" interval={0} tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={48} tickFormatter={(value: number) => compact.format(value)} />
          <Tooltip
            cursor={{ fill: "#f1f5f9" }}
            formatter={(_value, name, item) => {
              const series = MONTH_SERIES.find((entry) => entry.name === name);
              return [series ? (item.payload as MonthBar).labels[series.key] : String(_value), name];
            }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
          {MONTH_SERIES.map((series) => (
            <Bar key={series.key} isAnimationActive={false} dataKey={series.key} name={series.name} fill={series.fill} radius={[3, 3, 0, 0]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
