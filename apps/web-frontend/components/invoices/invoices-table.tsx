"use client";

import {
  Badge,
  Button,
  DataTable,
  Dialog,
  EmptyState,
  Field,
  Notice,
  SelectField,
  TextAreaField,
  type ColumnDef,
  type RowSelectionState,
} from "@repo/ui";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import {
  bulkRows,
  fetchInvoices,
  invoicesApi,
  pdfUrl,
  type BulkRowResult,
  type InvoiceRow,
} from "@/lib/client/invoices-api";
import { sortingOf, sortParam, useDebouncedParam, useRemote, useUrlQuery, visibilityOf } from "@/lib/client/use-url-query";
import { formatDate, formatMoney } from "@/lib/format";
import {
  COMMON_CURRENCIES,
  INVOICE_STATUS_LABELS,
  STATUS_FILTER_VALUES,
  invoicesUrlSchema,
} from "@/lib/invoices-query";
import { Combobox, type ComboOption } from "./combobox";
import { searchCustomerOptions, searchEmployeeOptions } from "./pickers";
import { InvoiceStatusBadge } from "./status-badge";
import { ListViews, listColumns } from "@/components/list-views";

type Mode = "all" | "mine";

function columnsFor(mode: Mode): ColumnDef<InvoiceRow>[] {
  const number: ColumnDef<InvoiceRow> = {
    id: "number",
    accessorKey: "number",
    header: "Number",
    cell: (info) => {
      const invoice = info.row.original;
      const label = invoice.number ?? `Draft #${invoice.id}`;
      return mode === "all" ? (
        <Link
          href={`/invoices/${invoice.id}`}
          className="font-mono text-xs whitespace-nowrap text-blue-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          {label}
        </Link>
      ) : (
        <span className="font-mono text-xs whitespace-nowrap">{label}</span>
      );
    },
  };
  const columns: ColumnDef<InvoiceRow>[] = [
    number,
    { id: "customer", header: "Customer", enableSorting: false, cell: (info) => info.row.original.customer_name },
    {
      id: "status",
      header: "Status",
      enableSorting: false,
      cell: (info) => <InvoiceStatusBadge status={info.row.original.status} overdue={info.row.original.is_overdue} />,
    },
    { id: "issue_date", accessorKey: "issue_date", header: "Issued", cell: (info) => formatDate(info.row.original.issue_date) },
    { id: "due_date", accessorKey: "due_date", header: "Due", cell: (info) => formatDate(info.row.original.due_date) },
    {
      id: "total",
      accessorKey: "total",
      header: "Total",
      cell: (info) => (
        <span className="tabular-nums">{formatMoney(info.row.original.total, info.row.original.currency)}</span>
      ),
    },
    {
      id: "balance_due",
      header: "Balance due",
      enableSorting: false,
      cell: (info) => (
        <span className="tabular-nums">{formatMoney(info.row.original.balance_due, info.row.original.currency)}</span>
      ),
    },
  ];
  if (mode === "all") {
    columns.push({
      id: "employee",
      header: "Responsible",
      enableSorting: false,
      cell: (info) => {
        const person = info.row.original.employee;
        if (!person) return <span className="text-slate-600">—</span>;
        if (person.name) return person.name;
        return person.unavailable ? (
          <Badge tone="warning">Name unavailable</Badge>
        ) : (
          <span className="text-slate-600">Employee #{person.id}</span>
        );
      },
    });
  } else {
    columns.push({
      id: "pdf",
      header: "PDF",
      enableSorting: false,
      cell: (info) => (
        <a
          href={pdfUrl(info.row.original.id, true)}
          className="text-blue-800 underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          Download<span className="sr-only"> {info.row.original.number ?? `draft ${info.row.original.id}`}</span>
        </a>
      ),
    });
  }
  return columns;
}

type BulkAction = "issue" | "void";
type Outcome =
  | { tone: "success"; text: string }
  | { tone: "error"; text: string; rows: BulkRowResult[] };

/**
 * The invoice register: every filter the invoice service takes, its sort and server paging, all
 * in the URL; the responsible employee named through the BFF's composition; multi-select with
 * the bulk "Issue" and "Void" (all-or-nothing; a refusal lists each row's reason).
 */
export function InvoicesTable({
  mode = "all",
  canManage = false,
  employeeId,
}: {
  mode?: Mode;
  canManage?: boolean;
  /** "My invoices": always this responsible employee, whatever the URL says. */
  employeeId?: number;
}) {
  const { query, navigate } = useUrlQuery(invoicesUrlSchema);
  const effective = employeeId ? { ...query, employee_id: employeeId } : query;
  const requestKey = JSON.stringify(effective);
  const { data, failure, loading, reload } = useRemote(requestKey, (signal) => fetchInvoices(effective, signal));
  const columns = useMemo(() => columnsFor(mode), [mode]);
  const columnIds = columns.map((column) => column.id as string);
  const [selection, setSelection] = useState<RowSelectionState>({});
  /** The selected invoices' numbers, kept while the selection spans pages. */
  const [labels, setLabels] = useState<Record<number, string>>({});
  function select(next: RowSelectionState) {
    setSelection(next);
    setLabels((current) => {
      const copy = { ...current };
      for (const row of data?.items ?? []) {
        if (next[String(row.id)]) copy[row.id] = row.number ?? `Draft #${row.id}`;
      }
      return copy;
    });
  }
  const [dialog, setDialog] = useState<BulkAction | null>(null);
  const [reason, setReason] = useState("");
  const [pending, setPending] = useState(false);
  const deleted = useSearchParams().get("deleted");
  const [outcome, setOutcome] = useState<Outcome | null>(
    deleted && /^\d+$/.test(deleted) ? { tone: "success", text: `Draft #${deleted} deleted.` } : null,
  );

  const [search, setSearch] = useDebouncedParam(query.q, (q) => navigate({ q, offset: undefined }));
  const [number, setNumber] = useDebouncedParam(query.number, (value) => navigate({ number: value, offset: undefined }));
  const [currency, setCurrency] = useDebouncedParam(query.currency, (value) =>
    navigate({ currency: value && /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : undefined, offset: undefined }),
  );
  const [totalMin, setTotalMin] = useDebouncedParam(query.total_min, (value) =>
    navigate({ total_min: value, offset: undefined }),
  );
  const [totalMax, setTotalMax] = useDebouncedParam(query.total_max, (value) =>
    navigate({ total_max: value, offset: undefined }),
  );

  const selectedIds = Object.keys(selection)
    .filter((key) => selection[key])
    .map(Number);
  const pageSize = query.limit;
  const pageIndex = Math.floor(query.offset / pageSize);
  const filtered = [
    query.q,
    query.status,
    query.overdue,
    query.customer_id,
    query.employee_id,
    query.issued_from,
    query.issued_to,
    query.due_from,
    query.due_to,
    query.currency,
    query.number,
    query.total_min,
    query.total_max,
  ].some((value) => value !== undefined);
  const customerValue: ComboOption | null = query.customer_id
    ? { id: query.customer_id, name: data?.filters.customer?.name ?? `Customer #${query.customer_id}` }
    : null;
  const employeeValue: ComboOption | null = query.employee_id
    ? { id: query.employee_id, name: data?.filters.employee?.name ?? `Employee #${query.employee_id}` }
    : null;
  const amountError = (value: string) =>
    value && !/^(?:[0-9]{1,12}(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$/.test(value) ? "Digits, at most 2 decimals" : null;

  async function runBulk(action: BulkAction) {
    setPending(true);
    const result = await invoicesApi.bulk({
      action,
      ids: selectedIds,
      ...(action === "void" ? { reason: reason.trim() } : {}),
    });
    setPending(false);
    setDialog(null);
    if (result.ok) {
      const count = result.value.succeeded;
      setOutcome({
        tone: "success",
        text: `${action === "issue" ? "Issued" : "Voided"} ${count} invoice${count === 1 ? "" : "s"}.`,
      });
      setSelection({});
      setReason("");
      reload();
    } else {
      setOutcome({
        tone: "error",
        text: result.failure.message,
        rows: bulkRows(result.failure).filter((row) => !row.ok),
      });
    }
  }

  const advancedOpen = Boolean(
    query.issued_from ||
      query.issued_to ||
      query.due_from ||
      query.due_to ||
      query.currency ||
      query.number ||
      query.total_min ||
      query.total_max ||
      query.overdue,
  );

  return (
    <div className="flex flex-col gap-3">
      {data?.partial ? (
        <Notice tone="warning">
          Responsible employees cannot be named right now: the employee service is unavailable.
        </Notice>
      ) : null}
      {outcome ? (
        <Notice
          tone={outcome.tone}
          onDismiss={() => {
            setOutcome(null);
            if (deleted) navigate({ deleted: undefined });
          }}
        >
          <p>{outcome.text}</p>
          {outcome.tone === "error" && outcome.rows.length > 0 ? (
            <ul className="mt-1 list-disc pl-5">
              {outcome.rows.map((row) => (
                <li key={row.id}>
                  <span className="font-medium">{labels[row.id] ?? `Invoice #${row.id}`}</span>:{" "}
                  {row.detail ?? row.code ?? "refused"}
                </li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}

      <form
        role="search"
        aria-label="Filter invoices"
        className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-3"
        onSubmit={(event) => event.preventDefault()}
      >
        <div className="flex flex-wrap items-end gap-3">
          <Field
            label="Search"
            type="search"
            placeholder={mode === "all" ? "Number, customer or notes" : "Number or customer"}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            className="w-64"
          />
          <SelectField
            label="Status"
            value={query.status ?? ""}
            onChange={(event) => navigate({ status: event.target.value || undefined, offset: undefined })}
          >
            <option value="">All statuses</option>
            {STATUS_FILTER_VALUES.map((status) => (
              <option key={status} value={status}>
                {INVOICE_STATUS_LABELS[status]}
              </option>
            ))}
          </SelectField>
          {mode === "all" ? (
            <>
              <Combobox
                label="Customer"
                placeholder="Any customer"
                value={customerValue}
                onChange={(option) => navigate({ customer_id: option?.id, offset: undefined })}
                search={searchCustomerOptions}
                className="w-60"
              />
              <Combobox
                label="Responsible employee"
                placeholder="Anyone"
                value={employeeValue}
                onChange={(option) => navigate({ employee_id: option?.id, offset: undefined })}
                search={searchEmployeeOptions}
                className="w-60"
              />
            </>
          ) : null}
          {filtered ? (
            <Button
              variant="ghost"
              onClick={() => {
                for (const setter of [setSearch, setNumber, setCurrency, setTotalMin, setTotalMax]) setter("");
                navigate({
                  q: undefined,
                  status: undefined,
                  overdue: undefined,
                  customer_id: undefined,
                  employee_id: undefined,
                  issued_from: undefined,
                  issued_to: undefined,
                  due_from: undefined,
                  due_to: undefined,
                  currency: undefined,
                  number: undefined,
                  total_min: undefined,
                  total_max: undefined,
                  offset: undefined,
                });
              }}
            >
              Clear filters
            </Button>
          ) : null}
        </div>
        <details open={advancedOpen || undefined} className="group">
          <summary className="w-fit cursor-pointer rounded text-sm font-medium text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
            More filters
          </summary>
          <div className="mt-3 flex flex-wrap items-end gap-3">
            <Field
              label="Issued from"
              type="date"
              value={query.issued_from ?? ""}
              onChange={(event) => navigate({ issued_from: event.target.value || undefined, offset: undefined })}
            />
            <Field
              label="Issued to"
              type="date"
              value={query.issued_to ?? ""}
              onChange={(event) => navigate({ issued_to: event.target.value || undefined, offset: undefined })}
            />
            <Field
              label="Due from"
              type="date"
              value={query.due_from ?? ""}
              onChange={(event) => navigate({ due_from: event.target.value || undefined, offset: undefined })}
            />
            <Field
              label="Due to"
              type="date"
              value={query.due_to ?? ""}
              onChange={(event) => navigate({ due_to: event.target.value || undefined, offset: undefined })}
            />
            <SelectField
              label="Overdue"
              value={query.overdue ?? ""}
              onChange={(event) => navigate({ overdue: event.target.value || undefined, offset: undefined })}
            >
              <option value="">Either</option>
              <option value="true">Overdue only</option>
              <option value="false">Not overdue</option>
            </SelectField>
            <Field
              label="Currency"
              list="invoice-currencies"
              placeholder="EUR"
              maxLength={3}
              value={currency}
              onChange={(event) => setCurrency(event.target.value)}
              className="w-24"
            />
            <datalist id="invoice-currencies">
              {COMMON_CURRENCIES.map((code) => (
                <option key={code} value={code} />
              ))}
            </datalist>
            <Field
              label="Number"
              placeholder="INV-2026-"
              value={number}
              onChange={(event) => setNumber(event.target.value)}
              className="w-40"
            />
            <Field
              label="Total from"
              inputMode="decimal"
              value={totalMin}
              error={amountError(totalMin)}
              onChange={(event) => setTotalMin(event.target.value)}
              className="w-32"
            />
            <Field
              label="Total to"
              inputMode="decimal"
              value={totalMax}
              error={amountError(totalMax)}
              onChange={(event) => setTotalMax(event.target.value)}
              className="w-32"
            />
          </div>
        </details>
      </form>

      {canManage && mode === "all" ? (
        <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Bulk actions">
          <span className="text-sm text-slate-700" aria-live="polite">
            {selectedIds.length === 0 ? "Select invoices to issue or void them together." : `${selectedIds.length} selected`}
          </span>
          <Button size="sm" variant="secondary" disabled={selectedIds.length === 0} onClick={() => setDialog("issue")}>
            Issue
          </Button>
          <Button size="sm" variant="secondary" disabled={selectedIds.length === 0} onClick={() => setDialog("void")}>
            Void
          </Button>
          {selectedIds.length > 0 ? (
            <Button size="sm" variant="ghost" onClick={() => setSelection({})}>
              Clear selection
            </Button>
          ) : null}
        </div>
      ) : null}

      {employeeId ? null : <ListViews resource="invoices" columns={listColumns(columns)} />}
      <DataTable<InvoiceRow>
        caption={mode === "all" ? "Invoices" : "My invoices"}
        columns={columns}
        data={data?.items ?? []}
        total={data?.total ?? 0}
        totalIsEstimate={data?.total_is_estimate ?? false}
        pageIndex={pageIndex}
        pageSize={pageSize}
        getRowId={(row) => String(row.id)}
        loading={loading}
        sorting={sortingOf(query.sort)}
        onSortingChange={(next) => navigate({ sort: sortParam(next), offset: undefined })}
        onPageChange={(index) => navigate({ offset: index * pageSize })}
        columnVisibility={visibilityOf(query.columns, columnIds)}
        rowSelection={canManage && mode === "all" ? selection : undefined}
        onRowSelectionChange={canManage && mode === "all" ? select : undefined}
        rowLabel={(row) => row.number ?? `draft ${row.id}`}
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
        empty={
          <EmptyState
            title={filtered ? "No invoices match" : "No invoices yet"}
            description={filtered ? "Change or clear the filters." : undefined}
            action={
              canManage && mode === "all" && !filtered ? (
                <Link href="/invoices/new" className="text-sm text-blue-800 underline">
                  Write the first invoice
                </Link>
              ) : undefined
            }
          />
        }
      />

      <Dialog
        open={dialog === "issue"}
        onClose={() => setDialog(null)}
        title={`Issue ${selectedIds.length} invoice${selectedIds.length === 1 ? "" : "s"}?`}
        description="Each draft gets its number and can then no longer be edited. If any of them cannot be issued, none is."
        footer={
          <>
            <Button variant="secondary" onClick={() => setDialog(null)}>
              Cancel
            </Button>
            <Button loading={pending} onClick={() => runBulk("issue")}>
              Issue
            </Button>
          </>
        }
      >
        <SelectedList ids={selectedIds} labels={labels} />
      </Dialog>
      <Dialog
        open={dialog === "void"}
        onClose={() => setDialog(null)}
        title={`Void ${selectedIds.length} invoice${selectedIds.length === 1 ? "" : "s"}?`}
        description="Drafts, and issued invoices without payments or credit notes, can be voided. If any of them cannot be, none is."
      >
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            void runBulk("void");
          }}
        >
          <SelectedList ids={selectedIds} labels={labels} />
          <TextAreaField
            label="Reason"
            required
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setDialog(null)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" loading={pending} disabled={reason.trim() === ""}>
              Void
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

function SelectedList({ ids, labels }: { ids: number[]; labels: Record<number, string> }) {
  return (
    <ul className="max-h-40 list-disc overflow-auto pl-5 text-sm text-slate-800">
      {ids.map((id) => (
        <li key={id}>{labels[id] ?? `Invoice #${id}`}</li>
      ))}
    </ul>
  );
}
