"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface AgingBar {
  bucket: string;
  /** The bucket's amount for the chart's bar length only; the figures shown are the service's strings. */
  value: number;
  label: string;
}

/** One currency's aging as bars; the figures themselves stand beside it in a table. */
export function AgingChart({ bars, currency }: { bars: AgingBar[]; currency: string }) {
  return (
    <div className="h-56" aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="bucket" interval={0} tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={70} />
          <Tooltip formatter={(_value, _name, item) => [(item.payload as AgingBar).label, currency]} />
          <Bar isAnimationActive={false} dataKey="value" name={currency} fill="#1d4ed8" radius={[4, 4, 0, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
