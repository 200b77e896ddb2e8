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
 * The dashboard's charts. Each has a text alternative (a visually hidden table) because a chart
 * alone says nothing to a screen reader.
 */

export function AssetStatusChart({ data }: { data: { status: string; count: number }[] }) {
  return (
    <figure>
      <div className="h-64" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="status" interval={0} tick={{ fontSize: 11 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
            <Tooltip />
            <Bar dataKey="count" name="Assets" fill="#1d4ed8" radius={[4, 4, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="sr-only">
        <caption>Assets by status</caption>
        <tbody>
          {data.map((row) => (
            <tr key={row.status}>
              <th scope="row">{row.status}</th>
              <td>{row.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

interface Month {
  month: string;
  currency: string;
  invoiced: string;
  collected: string;
  outstanding: string;
}

export function InvoicingChart({ months }: { months: Month[] }) {
  const currencies = [...new Set(months.map((row) => row.currency))].sort();
  // One chart per currency would be noisy: show the currency with the most invoiced.
  const totals = currencies.map((currency) => ({
    currency,
    invoiced: months
      .filter((row) => row.currency === currency)
      .reduce((sum, row) => sum + Number(row.invoiced), 0),
  }));
  const currency = totals.sort((a, b) => b.invoiced - a.invoiced)[0]?.currency;
  if (!currency) return <p className="text-sm text-slate-600">No invoices yet.</p>;
  const data = months
    .filter((row) => row.currency === currency)
    .map((row) => ({
      month: row.month,
      invoiced: Number(row.invoiced),
      collected: Number(row.collected),
    }));
  return (
    <figure>
      <figcaption className="mb-2 text-xs text-slate-500">
        In {currency}
        {currencies.length > 1 ? ` (also invoiced in ${currencies.filter((c) => c !== currency).join(", ")})` : ""}
      </figcaption>
      <div className="h-64" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="month" interval={0} tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 12 }} />
            <Tooltip />
            <Legend />
            <Bar dataKey="invoiced" name="Invoiced" fill="#1d4ed8" radius={[4, 4, 0, 0]} />
            <Bar dataKey="collected" name="Collected" fill="#15803d" radius={[4, 4, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="sr-only">
        <caption>Invoiced and collected per month, in {currency}</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Invoiced</th>
            <th scope="col">Collected</th>
          </tr>
        </thead>
        <tbody>
          {data.map((row) => (
            <tr key={row.month}>
              <th scope="row">{row.month}</th>
              <td>{row.invoiced}</td>
              <td>{row.collected}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
