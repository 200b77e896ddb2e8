"use client";

import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnFiltersState,
  type RowSelectionState,
  type SortingState,
  type Updater,
  type VisibilityState,
} from "@tanstack/react-table";
import type { ReactNode } from "react";
import { Button } from "./button";
import { EmptyState, ErrorState, Loading } from "./states";

export type {
  ColumnDef,
  ColumnFiltersState,
  RowSelectionState,
  SortingState,
  VisibilityState,
} from "@tanstack/react-table";

export interface DataTableProps<TRow> {
  /** The table's accessible name (a visually hidden caption). */
  caption: string;
  // TanStack's own examples type a column list as ColumnDef<TRow, any>: each column has its own
  // value type, and unknown would refuse the columns a columnHelper builds.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<TRow, any>[];
  /** The rows of the current page only: paging, sorting and filtering happen on the server. */
  data: TRow[];
  /** Rows on the server that match the filters (for "x–y of total" and the page count). */
  total: number;
  /** The service estimated `total` (a very long list is not counted row by row): "about". */
  totalIsEstimate?: boolean;
  pageIndex: number;
  pageSize: number;
  onPageChange: (pageIndex: number) => void;
  sorting: SortingState;
  onSortingChange: (sorting: SortingState) => void;
  columnFilters?: ColumnFiltersState;
  onColumnFiltersChange?: (filters: ColumnFiltersState) => void;
  getRowId?: (row: TRow) => string;
  /**
   * Multi-select: a checkbox per row and one for the page. The selection is keyed by `getRowId`
   * and survives paging (the caller keeps it), so bulk actions can span pages.
   */
  rowSelection?: RowSelectionState;
  onRowSelectionChange?: (selection: RowSelectionState) => void;
  /** Describes a row for the row's checkbox label ("Select AST-0001"). */
  rowLabel?: (row: TRow) => string;
  /** Which columns show (by column id; a column missing from the map shows). */
  columnVisibility?: VisibilityState;
  /** Search and filter controls shown above the table. */
  toolbar?: ReactNode;
  loading?: boolean;
  /** When set, shown instead of the rows. */
  error?: { message: ReactNode; code?: string | null; action?: ReactNode } | null;
  /** Shown when the page has no rows. */
  empty?: ReactNode;
}

function resolve<T>(updater: Updater<T>, current: T): T {
  return typeof updater === "function" ? (updater as (old: T) => T)(current) : updater;
}

/**
 * A table frame for server-side data: it renders the page it is given and reports what the user
 * asked for (another page, another sort, other filters); the caller fetches.
 */
export function DataTable<TRow>({
  caption,
  columns,
  data,
  total,
  totalIsEstimate = false,
  pageIndex,
  pageSize,
  onPageChange,
  sorting,
  onSortingChange,
  columnFilters = [],
  onColumnFiltersChange,
  getRowId,
  rowSelection,
  onRowSelectionChange,
  rowLabel,
  columnVisibility = {},
  toolbar,
  loading = false,
  error = null,
  empty,
}: DataTableProps<TRow>) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const selectable = rowSelection !== undefined && onRowSelectionChange !== undefined;
  const selection = rowSelection ?? {};
  // TanStack Table returns functions that cannot be memoised; the React Compiler lint knows.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data,
    columns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    enableMultiSort: false,
    sortDescFirst: false,
    pageCount,
    enableRowSelection: selectable,
    state: {
      sorting,
      columnFilters,
      columnVisibility,
      rowSelection: selection,
      pagination: { pageIndex, pageSize },
    },
    onRowSelectionChange: (updater) => onRowSelectionChange?.(resolve(updater, selection)),
    onSortingChange: (updater) => onSortingChange(resolve(updater, sorting)),
    onColumnFiltersChange: (updater) => onColumnFiltersChange?.(resolve(updater, columnFilters)),
  });

  const first = total === 0 ? 0 : pageIndex * pageSize + 1;
  const last = Math.min(total, (pageIndex + 1) * pageSize);
  const rows = table.getRowModel().rows;

  return (
    <div className="flex flex-col gap-3">
      {toolbar ? <div className="flex flex-wrap items-end gap-3">{toolbar}</div> : null}
      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-busy={loading || undefined}>
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {selectable ? (
                  <th scope="col" className="w-10 px-3 py-2">
                    <input
                      type="checkbox"
                      aria-label="Select every row on this page"
                      className="size-4 accent-blue-700"
                      checked={table.getIsAllPageRowsSelected()}
                      ref={(element) => {
                        if (element) element.indeterminate = table.getIsSomePageRowsSelected();
                      }}
                      onChange={table.getToggleAllPageRowsSelectedHandler()}
                    />
                  </th>
                ) : null}
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const canSort = header.column.getCanSort();
                  const label = header.isPlaceholder
                    ? null
                    : flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={
                        sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined
                      }
                      className="px-3 py-2 text-left font-semibold text-slate-700"
                    >
                      {canSort ? (
                        <button
                          type="button"
                          onClick={header.column.getToggleSortingHandler()}
                          className="inline-flex items-center gap-1 rounded hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-blue-600"
                        >
                          {label}
                          <span aria-hidden="true" className="text-xs text-slate-500">
                            {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}
                          </span>
                        </button>
                      ) : (
                        label
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100">
            {error ? null : (
              rows.map((row) => (
                <tr
                  key={row.id}
                  className={row.getIsSelected() ? "bg-blue-50" : "hover:bg-slate-50"}
                >
                  {selectable ? (
                    <td className="w-10 px-3 py-2">
                      <input
                        type="checkbox"
                        aria-label={`Select ${rowLabel ? rowLabel(row.original) : `row ${row.id}`}`}
                        className="size-4 accent-blue-700"
                        checked={row.getIsSelected()}
                        onChange={row.getToggleSelectedHandler()}
                      />
                    </td>
                  ) : null}
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2 text-slate-800">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
        {error ? (
          <ErrorState message={error.message} code={error.code} action={error.action} className="m-4" />
        ) : rows.length === 0 && !loading ? (
          (empty ?? <EmptyState title="Nothing to show" />)
        ) : null}
        {loading ? (
          <div className="absolute inset-0 flex items-center justify-center bg-white/60">
            <Loading />
          </div>
        ) : null}
      </div>
      <nav aria-label={`${caption}: pages`} className="flex items-center justify-between gap-3 text-sm">
        <p className="text-slate-600" aria-live="polite">
          {total === 0
            ? "No rows"
            : `Rows ${first}–${last} of ${totalIsEstimate ? "about " : ""}${total.toLocaleString("en")}`}
        </p>
        <div className="flex items-center gap-2">
          <Button
            variant="secondary"
            size="sm"
            onClick={() => onPageChange(pageIndex - 1)}
            disabled={pageIndex <= 0 || loading}
          >
            Previous
          </Button>
          <span className="text-slate-600">
            Page {Math.min(pageIndex + 1, pageCount)} of {pageCount}
          </span>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => onPageChange(pageIndex + 1)}
            disabled={pageIndex + 1 >= pageCount || loading}
          >
            Next
          </Button>
        </div>
      </nav>
    </div>
  );
}
