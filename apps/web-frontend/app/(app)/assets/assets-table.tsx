"use client";

import {
  Badge,
  Button,
  DataTable,
  EmptyState,
  Field,
  type BadgeTone,
  type ColumnDef,
  type SortingState,
} from "@repo/ui";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useMemo, useState } from "react";
import {
  ASSET_STATUS_VALUES,
  DEFAULT_PAGE_SIZE,
  STATUS_LABELS,
  assetsQuerySchema,
} from "@/lib/assets-query";
import { fetchAssets, type AssetRow, type AssetsAnswer, type FetchFailure } from "@/lib/client/assets-api";
import { formatDate, formatMoney } from "@/lib/format";

const STATUS_TONES: Record<AssetRow["status"], BadgeTone> = {
  in_stock: "info",
  assigned: "success",
  in_maintenance: "warning",
  retired: "neutral",
  disposed: "danger",
};

const columns: ColumnDef<AssetRow>[] = [
  {
    id: "asset_tag",
    accessorKey: "asset_tag",
    header: "Tag",
    cell: (info) => <span className="font-mono text-xs">{info.row.original.asset_tag}</span>,
  },
  { id: "name", accessorKey: "name", header: "Name" },
  {
    id: "status",
    accessorKey: "status",
    header: "Status",
    enableSorting: false,
    cell: (info) => {
      const status = info.row.original.status;
      return <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>;
    },
  },
  {
    id: "assigned_employee",
    header: "Held by",
    enableSorting: false,
    cell: (info) => {
      const owner = info.row.original.assigned_employee;
      if (!owner) return <span className="text-slate-400">—</span>;
      if (owner.name) return owner.name;
      return owner.unavailable ? (
        <Badge tone="warning">Owner unavailable</Badge>
      ) : (
        <span className="text-slate-500">Employee #{owner.id}</span>
      );
    },
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

/** The filters in the URL, read leniently: a hand-edited bad value falls back to the default. */
function readQuery(params: URLSearchParams) {
  const raw = Object.fromEntries(params.entries());
  const parsed = assetsQuerySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  return assetsQuerySchema.parse({});
}

export function AssetsTable() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const query = useMemo(() => readQuery(new URLSearchParams(searchParams.toString())), [searchParams]);
  const [search, setSearch] = useState(query.q ?? "");
  /** The last answer (or failure) and the request it answers; loading while it is not the current one. */
  const [result, setResult] = useState<
    { key: string; answer: AssetsAnswer; failure?: undefined } | { key: string; answer?: undefined; failure: FetchFailure } | null
  >(null);
  const [attempt, setAttempt] = useState(0);
  const statusId = useId();

  /** Puts the new filters in the URL; the table follows the URL. */
  function navigate(changes: Record<string, string | number | undefined>) {
    const next = new URLSearchParams(searchParams.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === "") next.delete(key);
      else next.set(key, String(value));
    }
    if (next.get("offset") === "0") next.delete("offset");
    const text = next.toString();
    router.replace(text ? `${pathname}?${text}` : pathname, { scroll: false });
  }

  // The search box writes to the URL a moment after typing stops.
  useEffect(() => {
    if ((query.q ?? "") === search) return;
    const timer = setTimeout(() => navigate({ q: search.trim() || undefined, offset: undefined }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- navigate is rebuilt each render
  }, [search]);

  const requestKey = `${JSON.stringify(query)}#${attempt}`;
  useEffect(() => {
    const controller = new AbortController();
    fetchAssets(query, controller.signal)
      .then((outcome) => {
        // A 401 has already sent the user to sign in (lib/client/api.ts).
        if (controller.signal.aborted || (!outcome.ok && outcome.failure.status === 401)) return;
        setResult(
          outcome.ok ? { key: requestKey, answer: outcome.value } : { key: requestKey, failure: outcome.failure },
        );
      })
      .catch(() => undefined);
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- requestKey stands for query and attempt
  }, [requestKey]);

  const loading = result?.key !== requestKey;
  // While the next page loads, the previous one stays on screen under the loading veil.
  const answer = result?.answer ?? null;
  const failure = loading ? null : (result?.failure ?? null);
  const sorting: SortingState = query.sort
    ? [{ id: query.sort.replace(/^-/, ""), desc: query.sort.startsWith("-") }]
    : [];
  const pageSize = query.limit ?? DEFAULT_PAGE_SIZE;
  const pageIndex = Math.floor((query.offset ?? 0) / pageSize);

  return (
    <div className="flex flex-col gap-3">
      {answer?.partial ? (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          Owners cannot be named right now: the employee service is unavailable.
        </p>
      ) : null}
      <DataTable<AssetRow>
        caption="Assets"
        columns={columns}
        data={answer?.items ?? []}
        total={answer?.total ?? 0}
        pageIndex={pageIndex}
        pageSize={pageSize}
        getRowId={(row) => String(row.id)}
        loading={loading}
        sorting={sorting}
        onSortingChange={(next) => {
          const first = next[0];
          navigate({ sort: first ? `${first.desc ? "-" : ""}${first.id}` : undefined, offset: undefined });
        }}
        onPageChange={(index) => navigate({ offset: index * pageSize })}
        error={
          failure
            ? {
                message: failure.message,
                code: failure.code,
                action: (
                  <Button variant="secondary" size="sm" onClick={() => setAttempt((n) => n + 1)}>
                    Try again
                  </Button>
                ),
              }
            : null
        }
        empty={
          <EmptyState
            title="No assets match"
            description={query.q || query.status ? "Change the search or the status filter." : undefined}
          />
        }
        toolbar={
          <>
            <Field
              label="Search"
              type="search"
              placeholder="Tag, name or serial"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              className="w-64"
            />
            <div className="flex flex-col gap-1">
              <label htmlFor={statusId} className="text-sm font-medium text-slate-800">
                Status
              </label>
              <select
                id={statusId}
                value={query.status ?? ""}
                onChange={(event) => navigate({ status: event.target.value || undefined, offset: undefined })}
                className="h-10 rounded-md border border-slate-300 bg-white px-3 text-sm focus-visible:outline-2 focus-visible:outline-blue-600"
              >
                <option value="">All statuses</option>
                {ASSET_STATUS_VALUES.map((status) => (
                  <option key={status} value={status}>
                    {STATUS_LABELS[status]}
                  </option>
                ))}
              </select>
            </div>
          </>
        }
      />
    </div>
  );
}
