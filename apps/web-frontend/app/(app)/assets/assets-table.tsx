"use client";

import {
  Button,
  DataTable,
  Dialog,
  EmptyState,
  Field,
  Notice,
  SelectField,
  type ColumnDef,
  type RowSelectionState,
} from "@repo/ui";
import Link from "next/link";
import { useMemo, useState } from "react";
import type { z } from "zod";
import {
  ASSET_FILTER_KEYS,
  ASSET_STATUS_VALUES,
  DEFAULT_PAGE_SIZE,
  MAX_FILTER_IDS,
  STATUS_LABELS,
  assetsPageQuerySchema,
  currencyCode,
  filtersOf,
  isoDate,
  money,
  serviceQuery,
} from "@/lib/assets-query";
import {
  downloadExport,
  fetchAssets,
  type AssetRow,
  type AssetsAnswer,
  type EmployeeOption,
} from "@/lib/client/assets-api";
import {
  sortParam,
  sortingOf,
  useDebouncedParam,
  useRemote,
  useUrlQuery,
  visibilityOf,
} from "@/lib/client/use-url-query";
import { formatDate, formatMoney } from "@/lib/format";
import { BulkActions } from "@/components/assets/bulk-actions";
import { EmployeePicker } from "@/components/assets/employee-picker";
import { StatusBadge } from "@/components/assets/status-badge";
import { useCategories } from "@/components/assets/use-categories";
import { ListViews, listColumns } from "@/components/list-views";

function buildColumns(categoryName: (id: number) => string): ColumnDef<AssetRow>[] {
  return [
    {
      id: "asset_tag",
      accessorKey: "asset_tag",
      header: "Tag",
      cell: (info) => (
        <Link href={`/assets/${info.row.original.id}`} className="font-mono text-xs whitespace-nowrap text-blue-800 underline-offset-2 hover:underline">
          {info.row.original.asset_tag}
        </Link>
      ),
    },
    {
      id: "name",
      accessorKey: "name",
      header: "Name",
      cell: (info) => (
        <Link href={`/assets/${info.row.original.id}`} className="text-blue-800 underline-offset-2 hover:underline">
          {info.row.original.name}
        </Link>
      ),
    },
    {
      id: "category",
      header: "Category",
      enableSorting: false,
      cell: (info) => categoryName(info.row.original.category_id),
    },
    {
      id: "status",
      accessorKey: "status",
      header: "Status",
      enableSorting: false,
      cell: (info) => <StatusBadge status={info.row.original.status} />,
    },
    {
      id: "assigned_employee",
      header: "Held by",
      enableSorting: false,
      cell: (info) => {
        const owner = info.row.original.assigned_employee;
        if (!owner) return <span className="text-slate-600">—</span>;
        if (owner.name) return owner.name;
        return owner.unavailable ? (
          <span className="text-amber-900">Employee #{owner.id} (name unavailable)</span>
        ) : (
          <span className="text-slate-600">Employee #{owner.id}</span>
        );
      },
    },
    {
      id: "location",
      header: "Location",
      enableSorting: false,
      cell: (info) => info.row.original.location ?? <span className="text-slate-600">—</span>,
    },
    {
      id: "serial_number",
      header: "Serial",
      enableSorting: false,
      cell: (info) => info.row.original.serial_number ?? <span className="text-slate-600">—</span>,
    },
    {
      id: "purchase_date",
      accessorKey: "purchase_date",
      header: "Bought",
      cell: (info) => formatDate(info.row.original.purchase_date),
    },
    {
      id: "purchase_cost",
      accessorKey: "purchase_cost",
      header: "Cost",
      cell: (info) => formatMoney(info.row.original.purchase_cost, info.row.original.currency),
    },
    {
      id: "book_value",
      header: "Book value",
      enableSorting: false,
      cell: (info) => formatMoney(info.row.original.book_value, info.row.original.currency),
    },
  ];
}

export const ASSET_COLUMN_IDS = [
  "asset_tag",
  "name",
  "category",
  "status",
  "assigned_employee",
  "location",
  "serial_number",
  "purchase_date",
  "purchase_cost",
  "book_value",
] as const;

/** A filter typed into a box: written to the URL a moment after typing stops, once it is valid. */
function FilterField({
  label,
  current,
  schema,
  write,
  type = "text",
  placeholder,
  className = "w-40",
  inputMode,
}: {
  label: string;
  current: string | undefined;
  schema?: z.ZodType;
  write: (value: string | undefined) => void;
  type?: string;
  placeholder?: string;
  className?: string;
  inputMode?: "decimal" | "numeric" | "text";
}) {
  const [error, setError] = useState<string | null>(null);
  const [value, setValue] = useDebouncedParam(current, (next) => {
    if (next !== undefined && schema) {
      const parsed = schema.safeParse(next);
      if (!parsed.success) {
        setError(parsed.error.issues[0]?.message ?? "Not valid");
        return;
      }
    }
    setError(null);
    write(next);
  });
  return (
    <Field
      label={label}
      type={type}
      value={value}
      placeholder={placeholder}
      inputMode={inputMode}
      onChange={(event) => setValue(event.target.value)}
      error={error}
      className={className}
    />
  );
}

export function AssetsTable({ canManage }: { canManage: boolean }) {
  const { query, navigate } = useUrlQuery(assetsPageQuerySchema);
  const request = serviceQuery(query);
  const remote = useRemote<AssetsAnswer>(JSON.stringify(request), (signal) => fetchAssets(request, signal));
  const { categories, names: categoryNames } = useCategories();
  const [selection, setSelection] = useState<RowSelectionState>({});
  /** What we know of the selected rows (they may be on other pages): their tags. */
  const [seen, setSeen] = useState<Map<number, AssetRow>>(new Map());
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [exporting, setExporting] = useState<"filter" | "selection" | null>(null);
  const [pickingHolder, setPickingHolder] = useState(false);
  const [holder, setHolder] = useState<EmployeeOption | null>(null);
  /** Bumped when the filters change from outside their boxes (cleared, picked), so the boxes re-read the URL. */
  const [resetKey, setResetKey] = useState(0);

  const answer = remote.data;
  const columns = useMemo(
    () => buildColumns((id) => categoryNames.get(id) ?? `#${id}`),
    [categoryNames],
  );
  const pageSize = query.limit ?? DEFAULT_PAGE_SIZE;
  const pageIndex = Math.floor((query.offset ?? 0) / pageSize);
  const selectedIds = Object.keys(selection)
    .filter((key) => selection[key])
    .map(Number)
    .sort((a, b) => a - b);
  const activeFilters = ASSET_FILTER_KEYS.filter((key) => query[key] !== undefined);
  function clearFilters() {
    navigate({ ...Object.fromEntries(ASSET_FILTER_KEYS.map((key) => [key, undefined])), offset: undefined });
    setResetKey((n) => n + 1);
  }
  const set = (key: string) => (value: string | number | undefined) => navigate({ [key]: value, offset: undefined });

  function changeSelection(next: RowSelectionState) {
    setSelection(next);
    setSeen((previous) => {
      const known = new Map(previous);
      for (const row of answer?.items ?? []) if (next[String(row.id)]) known.set(row.id, row);
      return known;
    });
  }

  async function exportCsv(which: "filter" | "selection") {
    setExporting(which);
    setNotice(null);
    const filters = which === "selection" ? { ids: selectedIds.join(",") } : filtersOf(request);
    const outcome = await downloadExport(filters);
    setExporting(null);
    setNotice(
      outcome.ok
        ? { tone: "success", text: `Downloaded ${outcome.value.fileName}.` }
        : { tone: "error", text: outcome.failure.message },
    );
  }

  const holderName =
    holder && holder.id === query.assigned_employee_id
      ? holder.name
      : answer?.items.find((row) => row.assigned_employee_id === query.assigned_employee_id)?.assigned_employee?.name;

  return (
    <div className="flex flex-col gap-3">
      {answer?.partial ? (
        <Notice tone="warning">Owners cannot be named right now: the employee service is unavailable.</Notice>
      ) : null}
      {notice ? (
        <Notice tone={notice.tone} onDismiss={() => setNotice(null)}>
          {notice.text}
        </Notice>
      ) : null}

      <div className="flex flex-wrap items-center gap-2">
        <Button variant="secondary" size="sm" onClick={() => void exportCsv("filter")} loading={exporting === "filter"}>
          Export {activeFilters.length ? "this filter" : "all"} (CSV)
        </Button>
        {selectedIds.length > 0 ? (
          <>
            <span className="text-sm text-slate-800" aria-live="polite">
              {selectedIds.length} selected
            </span>
            <Button
              variant="secondary"
              size="sm"
              onClick={() => void exportCsv("selection")}
              loading={exporting === "selection"}
              disabled={selectedIds.length > MAX_FILTER_IDS}
            >
              Export the selection (CSV)
            </Button>
            {canManage ? (
              <BulkActions
                ids={selectedIds}
                labelOf={(id) => seen.get(id)?.asset_tag ?? `#${id}`}
                categories={categories}
                onUnselect={(ids) =>
                  setSelection((current) => {
                    const next = { ...current };
                    for (const id of ids) delete next[String(id)];
                    return next;
                  })
                }
                onDone={(text) => {
                  setNotice({ tone: "success", text });
                  setSelection({});
                  remote.reload();
                }}
              />
            ) : null}
            <Button variant="ghost" size="sm" onClick={() => setSelection({})}>
              Clear selection
            </Button>
          </>
        ) : (
          <span className="text-sm text-slate-600">Select rows to export{canManage ? " or change" : ""} them together.</span>
        )}
      </div>

      <ListViews resource="assets" columns={listColumns(columns)} />
      <DataTable<AssetRow>
        caption="Assets"
        columns={columns}
        data={answer?.items ?? []}
        total={answer?.total ?? 0}
        totalIsEstimate={answer?.total_is_estimate ?? false}
        pageIndex={pageIndex}
        pageSize={pageSize}
        getRowId={(row) => String(row.id)}
        loading={remote.loading}
        sorting={sortingOf(query.sort)}
        onSortingChange={(next) => navigate({ sort: sortParam(next), offset: undefined })}
        onPageChange={(index) => navigate({ offset: index * pageSize })}
        rowSelection={selection}
        onRowSelectionChange={changeSelection}
        rowLabel={(row) => `${row.asset_tag} ${row.name}`}
        columnVisibility={visibilityOf(query.columns, ASSET_COLUMN_IDS)}
        error={
          remote.failure
            ? {
                message: remote.failure.message,
                code: remote.failure.code,
                action: (
                  <Button variant="secondary" size="sm" onClick={remote.reload}>
                    Try again
                  </Button>
                ),
              }
            : null
        }
        empty={
          <EmptyState
            title="No assets match"
            description={activeFilters.length ? "Change or clear the filters." : "The register is empty."}
            action={
              activeFilters.length ? (
                <Button variant="secondary" size="sm" onClick={clearFilters}>
                  Clear filters
                </Button>
              ) : undefined
            }
          />
        }
        toolbar={
          <div key={resetKey} className="flex w-full flex-col gap-3">
            <div className="flex flex-wrap items-end gap-3">
              <FilterField label="Search" type="search" placeholder="Tag, name or serial" current={query.q} write={set("q")} className="w-64" />
              <SelectField label="Status" value={query.status ?? ""} onChange={(event) => set("status")(event.target.value || undefined)}>
                <option value="">All statuses</option>
                {ASSET_STATUS_VALUES.map((status) => (
                  <option key={status} value={status}>
                    {STATUS_LABELS[status]}
                  </option>
                ))}
              </SelectField>
              <SelectField label="Category" value={query.category_id ?? ""} onChange={(event) => set("category_id")(event.target.value || undefined)}>
                <option value="">All categories</option>
                {categories.map((category) => (
                  <option key={category.id} value={category.id}>
                    {category.name}
                  </option>
                ))}
              </SelectField>
              <div className="flex items-end gap-1">
                <FilterField
                  label="Held by (employee id)"
                  inputMode="numeric"
                  current={query.assigned_employee_id?.toString()}
                  schema={assetsPageQuerySchema.shape.assigned_employee_id}
                  write={set("assigned_employee_id")}
                  className="w-44"
                />
                <Button variant="secondary" onClick={() => setPickingHolder(true)}>
                  Find…
                </Button>
              </div>
              {query.assigned_employee_id && holderName ? (
                <span className="pb-2 text-sm text-slate-700">= {holderName}</span>
              ) : null}
            </div>
            <details className="rounded-md border border-slate-200 bg-white px-3 py-2" open={ASSET_FILTER_KEYS.slice(4).some((key) => query[key] !== undefined) || undefined}>
              <summary className="cursor-pointer text-sm font-medium text-slate-800">More filters</summary>
              <div className="mt-2 flex flex-wrap items-start gap-3">
                <FilterField label="Location contains" current={query.location} write={set("location")} />
                <FilterField label="Serial contains" current={query.serial_number} write={set("serial_number")} />
                <FilterField label="Currency" placeholder="EUR" current={query.currency} schema={currencyCode} write={(value) => set("currency")(value?.toUpperCase())} className="w-24" />
                <FilterField label="Bought from" type="date" current={query.purchased_from} schema={isoDate} write={set("purchased_from")} />
                <FilterField label="Bought to" type="date" current={query.purchased_to} schema={isoDate} write={set("purchased_to")} />
                <FilterField label="Cost at least" inputMode="decimal" placeholder="0.00" current={query.cost_min} schema={money} write={set("cost_min")} className="w-32" />
                <FilterField label="Cost at most" inputMode="decimal" placeholder="0.00" current={query.cost_max} schema={money} write={set("cost_max")} className="w-32" />
                {query.ids ? (
                  <span className="flex items-center gap-2 pb-2 text-sm text-slate-800">
                    Only {query.ids.split(",").length} chosen assets
                    <Button variant="ghost" size="sm" onClick={() => set("ids")(undefined)}>
                      Show all
                    </Button>
                  </span>
                ) : null}
                {activeFilters.length ? (
                  <Button variant="ghost" onClick={clearFilters}>
                    Clear all filters
                  </Button>
                ) : null}
              </div>
            </details>
          </div>
        }
      />
      <Dialog open={pickingHolder} onClose={() => setPickingHolder(false)} title="Show the assets held by…">
        <EmployeePicker
          value={null}
          onChange={(person) => {
            if (!person) return;
            setHolder(person);
            setPickingHolder(false);
            set("assigned_employee_id")(person.id);
            setResetKey((n) => n + 1);
          }}
        />
      </Dialog>
    </div>
  );
}
