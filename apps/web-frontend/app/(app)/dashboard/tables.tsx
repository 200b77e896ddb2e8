import type { ReactNode } from "react";

/**
 * The small tables that stand beside the dashboard's charts and carry their numbers (the charts
 * are hidden from assistive tech). Server-rendered: every figure is formatted before it gets here.
 */

const integer = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });

/** A count as an integer, in the reader's format ("1,204"). */
export function formatCount(count: number): string {
  return integer.format(count);
}

/**
 * Where the table stands: beside the chart once the chart keeps enough width for its axis labels,
 * under it before. `narrow` tables (two columns) go beside from md; `wide` ones (four money
 * columns) from xl; `half` is for a card that is half the page wide at xl (beside from lg while
 * the card still spans the page, under again at xl).
 */
const BESIDE = {
  narrow: "md:grid-cols-[minmax(0,1fr)_auto]",
  wide: "xl:grid-cols-[minmax(0,1fr)_auto]",
  half: "lg:grid-cols-[minmax(0,1fr)_auto] xl:grid-cols-1",
} as const;

/** A chart and the table carrying its numbers, side by side when there is room. */
export function ChartBeside({
  chart,
  table,
  layout = "narrow",
}: {
  chart: ReactNode;
  table: ReactNode;
  layout?: keyof typeof BESIDE;
}) {
  return (
    <div className={`grid grid-cols-1 items-start gap-4 ${BESIDE[layout]}`}>
      <div className="min-w-0">{chart}</div>
      {table}
    </div>
  );
}

/** Label → count rows with a total, e.g. assets by status. */
export function CountTable({
  caption,
  labelHeader,
  rows,
  total,
}: {
  caption: string;
  labelHeader: string;
  rows: { key: string; label: string; count: number }[];
  total?: number;
}) {
  return (
    <table className="text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="text-left text-slate-700">
        <tr>
          <th scope="col" className="py-1 pr-6 font-medium">{labelHeader}</th>
          <th scope="col" className="py-1 text-right font-medium">Count</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row" className="py-1 pr-6 text-left font-normal">{row.label}</th>
            <td className="py-1 text-right tabular-nums">{formatCount(row.count)}</td>
          </tr>
        ))}
      </tbody>
      {total === undefined ? null : (
        <tfoot className="border-t border-slate-300">
          <tr>
            <th scope="row" className="py-1 pr-6 text-left">Total</th>
            <td className="py-1 text-right font-semibold tabular-nums">{formatCount(total)}</td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}

/** Rows of money columns, e.g. invoiced / collected / outstanding per month. */
export function MoneyTable({
  caption,
  columns,
  rows,
  footer,
}: {
  caption: string;
  /** The first column's header, then one per amount. */
  columns: string[];
  rows: { key: string; label: string; amounts: string[] }[];
  footer?: { label: string; amounts: string[] };
}) {
  return (
    <table className="text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="text-left text-slate-700">
        <tr>
          {columns.map((column, index) => (
            <th key={column} scope="col" className={index === 0 ? "py-1 pr-6 font-medium" : "py-1 pl-4 text-right font-medium"}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row" className="py-1 pr-6 text-left font-normal whitespace-nowrap">{row.label}</th>
            {row.amounts.map((amount, index) => (
              <td key={columns[index + 1] ?? index} className="py-1 pl-4 text-right tabular-nums whitespace-nowrap">
                {amount}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
      {footer ? (
        <tfoot className="border-t border-slate-300">
          <tr>
            <th scope="row" className="py-1 pr-6 text-left">{footer.label}</th>
            {footer.amounts.map((amount, index) => (
              <td key={columns[index + 1] ?? index} className="py-1 pl-4 text-right font-semibold tabular-nums whitespace-nowrap">
                {amount}
              </td>
            ))}
          </tr>
        </tfoot>
      ) : null}
    </table>
  );
}
