"use client";

import { Button, DataTable, EmptyState, Field, SelectField, type ColumnDef } from "@repo/ui";
import Link from "next/link";
import { apiGet } from "@/lib/client/api";
import {
  sortingOf,
  sortParam,
  useDebouncedParam,
  useRemote,
  useUrlQuery,
  visibilityOf,
} from "@/lib/client/use-url-query";
import { formatDateTime } from "@/lib/format";
// Types only: erased from the browser bundle.
import type { Notification } from "@/lib/services/notification";
import type { Page } from "@/lib/services/page";
import {
  NOTIFICATION_STATUS_LABELS,
  NOTIFICATION_STATUS_VALUES,
  notificationsViewSchema,
} from "@/lib/notifications-query";
import { NotificationStatusBadge } from "./status-badge";
import { ListViews, listColumns } from "@/components/list-views";

export const NOTIFICATION_COLUMN_IDS = [
  "id",
  "created_at",
  "subject",
  "recipient",
  "invoice_id",
  "status",
  "attempts",
  "next_attempt_at",
  "sent_at",
] as const;

const link = "text-blue-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600";

const columns: ColumnDef<Notification>[] = [
  {
    id: "id",
    accessorKey: "id",
    header: "No.",
    cell: (info) => (
      <Link href={`/notifications/${info.row.original.id}`} className={link}>
        #{info.row.original.id}
      </Link>
    ),
  },
  { id: "created_at", accessorKey: "created_at", header: "Created", cell: (info) => formatDateTime(info.row.original.created_at) },
  {
    id: "subject",
    header: "Subject",
    enableSorting: false,
    cell: (info) => (
      <Link href={`/notifications/${info.row.original.id}`} className={link}>
        {info.row.original.subject}
      </Link>
    ),
  },
  {
    id: "recipient",
    header: "Recipient",
    enableSorting: false,
    cell: (info) => info.row.original.recipient ?? <span className="text-slate-600">No address</span>,
  },
  {
    id: "invoice_id",
    header: "Invoice",
    enableSorting: false,
    cell: (info) => (
      <Link href={`/invoices/${info.row.original.invoice_id}`} className={`${link} whitespace-nowrap`}>
        Invoice #{info.row.original.invoice_id}
      </Link>
    ),
  },
  {
    id: "status",
    header: "Status",
    enableSorting: false,
    cell: (info) => <NotificationStatusBadge status={info.row.original.status} />,
  },
  { id: "attempts", header: "Attempts", enableSorting: false, cell: (info) => info.row.original.attempts },
  {
    id: "next_attempt_at",
    accessorKey: "next_attempt_at",
    header: "Next attempt",
    cell: (info) =>
      info.row.original.status === "sent" ? "—" : formatDateTime(info.row.original.next_attempt_at),
  },
  {
    id: "sent_at",
    header: "Sent",
    enableSorting: false,
    cell: (info) => formatDateTime(info.row.original.sent_at),
  },
];

/** The receipts sent: status and invoice filters, sort and paging in the URL. */
export function NotificationsTable() {
  const { query, navigate } = useUrlQuery(notificationsViewSchema);
  const { columns: shownColumns, ...listQuery } = query;
  const remote = useRemote(JSON.stringify(listQuery), (signal) =>
    apiGet<Page<Notification>>("/api/notifications", listQuery, signal),
  );
  const [invoice, setInvoice] = useDebouncedParam(
    query.invoice_id ? String(query.invoice_id) : undefined,
    (value) => navigate({ invoice_id: value && /^\d+$/.test(value) ? value : undefined, offset: undefined }),
  );
  const pageSize = query.limit;
  return (
    <div className="flex flex-col gap-3">
      <ListViews resource="notifications" columns={listColumns(columns)} />
      <DataTable<Notification>
        caption="Notifications"
        columns={columns}
        data={remote.data?.items ?? []}
        total={remote.data?.total ?? 0}
        totalIsEstimate={remote.data?.total_is_estimate ?? false}
        pageIndex={Math.floor(query.offset / pageSize)}
        pageSize={pageSize}
        getRowId={(row) => String(row.id)}
        loading={remote.loading}
        sorting={sortingOf(query.sort ?? "-id")}
        onSortingChange={(next) => navigate({ sort: sortParam(next), offset: undefined })}
        onPageChange={(index) => navigate({ offset: index * pageSize })}
        columnVisibility={visibilityOf(shownColumns, NOTIFICATION_COLUMN_IDS)}
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
            title="No notifications match"
            description={query.status || query.invoice_id ? "Change or clear the filters." : "Receipts appear here once invoices are paid."}
          />
        }
        toolbar={
          <>
            <SelectField
              label="Status"
              value={query.status ?? ""}
              onChange={(event) => navigate({ status: event.target.value, offset: undefined })}
            >
              <option value="">All statuses</option>
              {NOTIFICATION_STATUS_VALUES.map((status) => (
                <option key={status} value={status}>
                  {NOTIFICATION_STATUS_LABELS[status]}
                </option>
              ))}
            </SelectField>
            <Field
              label="Invoice id"
              inputMode="numeric"
              pattern="[0-9]*"
              value={invoice}
              onChange={(event) => setInvoice(event.target.value)}
              className="w-36"
            />
          </>
        }
      />
    </div>
  );
}
