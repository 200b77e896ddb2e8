"use client";

import { Button, DataTable, EmptyState, Field, type ColumnDef } from "@repo/ui";
import Link from "next/link";
import { fetchCustomers, type Customer } from "@/lib/client/invoices-api";
import { sortingOf, sortParam, useDebouncedParam, useRemote, useUrlQuery, visibilityOf } from "@/lib/client/use-url-query";
import { customersUrlSchema } from "@/lib/invoices-query";
import { ListViews, listColumns } from "@/components/list-views";

const columns: ColumnDef<Customer>[] = [
  {
    id: "name",
    accessorKey: "name",
    header: "Name",
    cell: (info) => (
      <Link
        href={`/customers/${info.row.original.id}`}
        className="text-blue-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
      >
        {info.row.original.name}
      </Link>
    ),
  },
  { id: "email", header: "Email", enableSorting: false, cell: (info) => info.row.original.email ?? "—" },
  { id: "tax_id", header: "Tax id", enableSorting: false, cell: (info) => info.row.original.tax_id ?? "—" },
  { id: "currency", header: "Currency", enableSorting: false, cell: (info) => info.row.original.currency },
  {
    id: "payment_terms_days",
    header: "Payment terms",
    enableSorting: false,
    cell: (info) => `${info.row.original.payment_terms_days} days`,
  },
  {
    id: "invoices",
    header: "Invoices",
    enableSorting: false,
    cell: (info) => (
      <Link
        href={`/invoices?customer_id=${info.row.original.id}`}
        className="text-blue-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
      >
        Invoices<span className="sr-only"> of {info.row.original.name}</span>
      </Link>
    ),
  },
  {
    id: "created_at",
    accessorKey: "created_at",
    header: "Added",
    cell: (info) => info.row.original.created_at.slice(0, 10),
  },
];
const COLUMN_IDS = columns.map((column) => column.id as string);

/** Customers: search (name, email, tax id), sort, server paging; all in the URL. */
export function CustomersTable() {
  const { query, navigate } = useUrlQuery(customersUrlSchema);
  const { columns: shown, ...params } = query;
  const { data, failure, loading, reload } = useRemote(JSON.stringify(params), (signal) => fetchCustomers(params, signal));
  const [search, setSearch] = useDebouncedParam(query.q, (q) => navigate({ q, offset: undefined }));
  const pageIndex = Math.floor(query.offset / query.limit);
  return (
    <div className="flex flex-col gap-3">
      <ListViews resource="customers" columns={listColumns(columns)} />
      <DataTable<Customer>
        caption="Customers"
        columns={columns}
        data={data?.items ?? []}
        total={data?.total ?? 0}
        totalIsEstimate={data?.total_is_estimate ?? false}
        pageIndex={pageIndex}
        pageSize={query.limit}
        getRowId={(row) => String(row.id)}
        loading={loading}
        sorting={sortingOf(query.sort)}
        onSortingChange={(next) => navigate({ sort: sortParam(next), offset: undefined })}
        onPageChange={(index) => navigate({ offset: index * query.limit })}
        columnVisibility={visibilityOf(shown, COLUMN_IDS)}
        error={
          failure
            ? {
                message: failure.message,
                code: failure.code,
                action: (
                  <Button variant="secondary" size="sm" onClick={reload}>
                    Try again
                  </Button>
                ),
              }
            : null
        }
        empty={<EmptyState title={query.q ? "No customers match" : "No customers yet"} />}
        toolbar={
          <Field
            label="Search"
            type="search"
            placeholder="Name, email or tax id"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            className="w-72"
          />
        }
      />
    </div>
  );
}
