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
import { EmployeeStatusBadge, RoleBadges } from "@/components/employees/badges";
import { BulkFailure } from "@/components/employees/bulk-results";
import { apiGet, apiSend, type FetchFailure } from "@/lib/client/api";
import {
  sortingOf,
  sortParam,
  useDebouncedParam,
  useRemote,
  useUrlQuery,
  visibilityOf,
} from "@/lib/client/use-url-query";
// Types only: erased from the browser bundle.
import type { DepartmentsWithHeadcounts, EmployeeRow } from "@/lib/compose/employees";
import {
  DEFAULT_PAGE_SIZE,
  EMPLOYEE_STATUS_LABELS,
  EMPLOYEE_STATUS_VALUES,
  ROLE_VALUES,
  employeesViewSchema,
  roleLabel,
} from "@/lib/employees-query";
import type { EmployeesBulkResult } from "@/lib/services/employee";
import type { Page } from "@/lib/services/page";
import { formatDate } from "@/lib/format";
import { ListViews, listColumns } from "@/components/list-views";

export const EMPLOYEE_COLUMN_IDS = [
  "last_name",
  "email",
  "job_title",
  "department",
  "status",
  "roles",
  "hire_date",
] as const;

const columns: ColumnDef<EmployeeRow>[] = [
  {
    id: "last_name",
    accessorKey: "last_name",
    header: "Name",
    cell: (info) => {
      const row = info.row.original;
      return (
        <Link
          href={`/employees/${row.id}`}
          className="font-medium text-blue-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          {row.last_name}, {row.first_name}
        </Link>
      );
    },
  },
  { id: "email", accessorKey: "email", header: "Email" },
  {
    id: "job_title",
    header: "Job title",
    enableSorting: false,
    cell: (info) => info.row.original.job_title ?? <span className="text-slate-600">—</span>,
  },
  {
    id: "department",
    header: "Department",
    enableSorting: false,
    cell: (info) => {
      const department = info.row.original.department;
      if (!department) return <span className="text-slate-600">—</span>;
      return department.name ?? <span className="text-slate-600">Department #{department.id}</span>;
    },
  },
  {
    id: "status",
    header: "Status",
    enableSorting: false,
    cell: (info) => <EmployeeStatusBadge status={info.row.original.status} />,
  },
  {
    id: "roles",
    header: "Roles",
    enableSorting: false,
    cell: (info) => <RoleBadges roles={info.row.original.roles} />,
  },
  {
    id: "hire_date",
    accessorKey: "hire_date",
    header: "Hired",
    cell: (info) => formatDate(info.row.original.hire_date),
  },
];

type Outcome = { tone: "success"; text: string } | { tone: "error"; failure: FetchFailure } | null;

/** The employees list: every filter of the service, sort, paging, and bulk actions for HR. */
export function EmployeesTable({ canManage }: { canManage: boolean }) {
  const { query, navigate } = useUrlQuery(employeesViewSchema);
  const { columns: shownColumns, ...listQuery } = query;
  const remote = useRemote(JSON.stringify(listQuery), (signal) =>
    apiGet<Page<EmployeeRow>>("/api/employees", listQuery, signal),
  );
  const departments = useRemote("departments", (signal) =>
    apiGet<DepartmentsWithHeadcounts>("/api/departments", undefined, signal),
  );
  const [q, setQ] = useDebouncedParam(query.q, (value) => navigate({ q: value, offset: undefined }));
  const [email, setEmail] = useDebouncedParam(query.email, (value) => navigate({ email: value, offset: undefined }));
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [dialog, setDialog] = useState<"move" | "terminate" | null>(null);
  const [target, setTarget] = useState("");
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  /** Names of the employees selected (a selection may span pages), to name them in dialogs and errors. */
  const [known, setKnown] = useState<Record<number, string>>({});
  const nameOf = (id: number) => known[id] ?? `Employee #${id}`;
  function select(next: RowSelectionState) {
    const named = { ...known };
    for (const row of remote.data?.items ?? []) {
      if (next[String(row.id)]) named[row.id] = `${row.first_name} ${row.last_name}`;
    }
    setKnown(named);
    setSelection(next);
  }

  const departmentOptions = useMemo(
    () => [...(departments.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
    [departments.data],
  );
  const selectedIds = Object.keys(selection)
    .filter((id) => selection[id])
    .map(Number);
  const pageSize = query.limit ?? DEFAULT_PAGE_SIZE;
  const pageIndex = Math.floor((query.offset ?? 0) / pageSize);
  const filtered = Boolean(
    query.q || query.department_id || query.status || query.email || query.role || query.hired_from || query.hired_to,
  );

  async function runBulk(action: "set_department" | "terminate") {
    setPending(true);
    const body =
      action === "set_department"
        ? { action, ids: selectedIds, department_id: target === "" ? null : Number(target) }
        : { action, ids: selectedIds };
    const result = await apiSend<EmployeesBulkResult>("POST", "/api/employees/bulk", body);
    setPending(false);
    setDialog(null);
    if (!result.ok) {
      setOutcome({ tone: "error", failure: result.failure });
      return;
    }
    const count = result.value.succeeded;
    const who = count === 1 ? "1 employee" : `${count} employees`;
    const where =
      target === "" ? "no department" : (departmentOptions.find((d) => String(d.id) === target)?.name ?? "the department");
    setOutcome({
      tone: "success",
      text: action === "set_department" ? `Moved ${who} to ${where}.` : `Terminated ${who}; their assets go back to stock.`,
    });
    setSelection({});
    remote.reload();
  }

  return (
    <div className="flex flex-col gap-3">
      {outcome?.tone === "success" ? (
        <Notice tone="success" onDismiss={() => setOutcome(null)}>
          {outcome.text}
        </Notice>
      ) : null}
      {outcome?.tone === "error" ? (
        <BulkFailure failure={outcome.failure} nameOf={nameOf} onDismiss={() => setOutcome(null)} />
      ) : null}
      {canManage && selectedIds.length > 0 ? (
        <div
          role="region"
          aria-label="Bulk actions"
          className="flex flex-wrap items-center gap-3 rounded-md border border-blue-200 bg-blue-50 p-3 text-sm"
        >
          <p className="font-medium text-blue-950">
            {selectedIds.length === 1 ? "1 employee selected" : `${selectedIds.length} employees selected`}
          </p>
          <Button size="sm" variant="secondary" onClick={() => setDialog("move")}>
            Move to department…
          </Button>
          <Button size="sm" variant="danger" onClick={() => setDialog("terminate")}>
            Terminate…
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setSelection({})}>
            Clear selection
          </Button>
        </div>
      ) : null}
      <ListViews resource="employees" columns={listColumns(columns)} />
      <DataTable<EmployeeRow>
        caption="Employees"
        columns={columns}
        data={remote.data?.items ?? []}
        total={remote.data?.total ?? 0}
        totalIsEstimate={remote.data?.total_is_estimate ?? false}
        pageIndex={pageIndex}
        pageSize={pageSize}
        getRowId={(row) => String(row.id)}
        loading={remote.loading}
        sorting={sortingOf(query.sort)}
        onSortingChange={(next) => navigate({ sort: sortParam(next), offset: undefined })}
        onPageChange={(index) => navigate({ offset: index * pageSize })}
        columnVisibility={visibilityOf(shownColumns, EMPLOYEE_COLUMN_IDS)}
        rowSelection={canManage ? selection : undefined}
        onRowSelectionChange={canManage ? select : undefined}
        rowLabel={(row) => `${row.first_name} ${row.last_name}`}
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
            title="No employees match"
            description={filtered ? "Change or clear the filters." : undefined}
          />
        }
        toolbar={
          <>
            <Field
              label="Search"
              type="search"
              placeholder="Name or email"
              value={q}
              onChange={(event) => setQ(event.target.value)}
              className="w-56"
            />
            <SelectField
              label="Department"
              value={query.department_id ? String(query.department_id) : ""}
              onChange={(event) => navigate({ department_id: event.target.value, offset: undefined })}
              className="w-48"
            >
              <option value="">All departments</option>
              {departmentOptions.map((department) => (
                <option key={department.id} value={department.id}>
                  {department.name}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Status"
              value={query.status ?? ""}
              onChange={(event) => navigate({ status: event.target.value, offset: undefined })}
            >
              <option value="">All statuses</option>
              {EMPLOYEE_STATUS_VALUES.map((status) => (
                <option key={status} value={status}>
                  {EMPLOYEE_STATUS_LABELS[status]}
                </option>
              ))}
            </SelectField>
            <Field
              label="Email contains"
              type="search"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              className="w-48"
            />
            <SelectField
              label="Role"
              value={query.role ?? ""}
              onChange={(event) => navigate({ role: event.target.value, offset: undefined })}
            >
              <option value="">All roles</option>
              {ROLE_VALUES.map((role) => (
                <option key={role} value={role}>
                  {roleLabel(role)}
                </option>
              ))}
            </SelectField>
            <Field
              label="Hired from"
              type="date"
              value={query.hired_from ?? ""}
              max={query.hired_to}
              onChange={(event) => navigate({ hired_from: event.target.value, offset: undefined })}
            />
            <Field
              label="Hired to"
              type="date"
              value={query.hired_to ?? ""}
              min={query.hired_from}
              onChange={(event) => navigate({ hired_to: event.target.value, offset: undefined })}
            />
            {filtered ? (
              <Button
                variant="ghost"
                onClick={() => {
                  setQ("");
                  setEmail("");
                  navigate({
                    q: undefined,
                    department_id: undefined,
                    status: undefined,
                    email: undefined,
                    role: undefined,
                    hired_from: undefined,
                    hired_to: undefined,
                    offset: undefined,
                  });
                }}
              >
                Clear filters
              </Button>
            ) : null}
          </>
        }
      />
      <Dialog
        open={dialog === "move"}
        onClose={() => setDialog(null)}
        title="Move to department"
        description={`${selectedIds.length === 1 ? "1 employee" : `${selectedIds.length} employees`} will move; if any cannot, none does.`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setDialog(null)}>
              Cancel
            </Button>
            <Button type="submit" form="bulk-move" loading={pending}>
              Move
            </Button>
          </>
        }
      >
        <form
          id="bulk-move"
          onSubmit={(event) => {
            event.preventDefault();
            void runBulk("set_department");
          }}
        >
          <SelectField label="New department" value={target} onChange={(event) => setTarget(event.target.value)}>
            <option value="">No department</option>
            {departmentOptions.map((department) => (
              <option key={department.id} value={department.id}>
                {department.name}
              </option>
            ))}
          </SelectField>
        </form>
      </Dialog>
      <Dialog
        open={dialog === "terminate"}
        onClose={() => setDialog(null)}
        title="Terminate employees"
        description="Their logins are disabled and the assets they hold go back to stock. Their records and history stay; an employee can be reactivated later."
        footer={
          <>
            <Button variant="secondary" onClick={() => setDialog(null)}>
              Cancel
            </Button>
            <Button variant="danger" loading={pending} onClick={() => void runBulk("terminate")}>
              Terminate {selectedIds.length === 1 ? "1 employee" : `${selectedIds.length} employees`}
            </Button>
          </>
        }
      >
        <ul className="max-h-48 list-disc overflow-y-auto pl-5 text-sm text-slate-800">
          {selectedIds.map((id) => (
            <li key={id}>{nameOf(id)}</li>
          ))}
        </ul>
      </Dialog>
    </div>
  );
}
