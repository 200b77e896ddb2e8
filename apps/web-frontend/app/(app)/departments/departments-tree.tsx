"use client";

import {
  Badge,
  Button,
  Card,
  DataTable,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  Loading,
  Notice,
  SelectField,
  type ColumnDef,
} from "@repo/ui";
import Link from "next/link";
import { useMemo, useState, type KeyboardEvent } from "react";
import { EmployeeStatusBadge } from "@/components/employees/badges";
import { apiGet, apiSend, type FetchFailure } from "@/lib/client/api";
import { sortingOf, sortParam, useRemote, useUrlQuery } from "@/lib/client/use-url-query";
// Types only: erased from the browser bundle.
import type { DepartmentNode, DepartmentsWithHeadcounts } from "@/lib/compose/employees";
import type { EmployeeRecord } from "@/lib/services/employee";
import type { Page } from "@/lib/services/page";
import { departmentsViewSchema } from "./departments-view";

interface TreeNode {
  department: DepartmentNode;
  children: TreeNode[];
}

/** The departments as a forest by `parent_id` (a parent not in the list makes a root). */
export function buildTree(departments: readonly DepartmentNode[]): TreeNode[] {
  const nodes = new Map(departments.map((department) => [department.id, { department, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.department.parent_id === null ? undefined : nodes.get(node.department.parent_id);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byName = (a: TreeNode, b: TreeNode) => a.department.name.localeCompare(b.department.name);
  const sortAll = (list: TreeNode[]) => {
    list.sort(byName);
    for (const node of list) sortAll(node.children);
  };
  sortAll(roots);
  return roots;
}

/** The ids of a department and everything under it (where it may not be moved to). */
function subtreeIds(departments: readonly DepartmentNode[], id: number): Set<number> {
  const ids = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const department of departments) {
      if (department.parent_id !== null && ids.has(department.parent_id) && !ids.has(department.id)) {
        ids.add(department.id);
        grew = true;
      }
    }
  }
  return ids;
}

/** Arrow keys move between the visible departments; Right/Left open and close a branch. */
function onTreeKey(event: KeyboardEvent<HTMLElement>, toggle: (id: number, open?: boolean) => void) {
  const target = event.target as HTMLElement;
  const id = Number(target.dataset.departmentId);
  if (!target.dataset.departmentId) return;
  const items = [...event.currentTarget.querySelectorAll<HTMLElement>("[data-department-id]")];
  const index = items.indexOf(target);
  let next: HTMLElement | undefined;
  if (event.key === "ArrowDown") next = items[index + 1];
  else if (event.key === "ArrowUp") next = items[index - 1];
  else if (event.key === "Home") next = items[0];
  else if (event.key === "End") next = items[items.length - 1];
  else if (event.key === "ArrowRight") toggle(id, true);
  else if (event.key === "ArrowLeft") toggle(id, false);
  else return;
  event.preventDefault();
  next?.focus();
}

const employeeColumns: ColumnDef<EmployeeRecord>[] = [
  {
    id: "last_name",
    accessorKey: "last_name",
    header: "Name",
    cell: (info) => (
      <Link
        href={`/employees/${info.row.original.id}`}
        className="font-medium text-blue-800 underline-offset-2 hover:underline"
      >
        {info.row.original.last_name}, {info.row.original.first_name}
      </Link>
    ),
  },
  {
    id: "job_title",
    header: "Job title",
    enableSorting: false,
    cell: (info) => info.row.original.job_title ?? "—",
  },
  {
    id: "status",
    header: "Status",
    enableSorting: false,
    cell: (info) => <EmployeeStatusBadge status={info.row.original.status} />,
  },
];

type DialogKind = "create" | "rename" | "move" | "delete" | null;
type Outcome = { tone: "success"; text: string } | null;

export function DepartmentsTree({ canManage }: { canManage: boolean }) {
  const { query, navigate } = useUrlQuery(departmentsViewSchema);
  const tree = useRemote("departments", (signal) =>
    apiGet<DepartmentsWithHeadcounts>("/api/departments", undefined, signal),
  );
  const selectedId = query.department ?? null;
  const employeeQuery = { limit: query.limit, offset: query.offset, sort: query.sort, status: query.status };
  const people = useRemote(selectedId === null ? "none" : `${selectedId}:${JSON.stringify(employeeQuery)}`, (signal) =>
    selectedId === null
      ? Promise.resolve({ ok: true as const, value: null })
      : apiGet<Page<EmployeeRecord>>(`/api/departments/${selectedId}/employees`, employeeQuery, signal),
  );
  const [closed, setClosed] = useState<Set<number>>(new Set());
  const [dialog, setDialog] = useState<DialogKind>(null);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [name, setName] = useState("");
  const [code, setCode] = useState("");
  const [parent, setParent] = useState("");

  const departments = useMemo(() => tree.data?.items ?? [], [tree.data]);
  const roots = useMemo(() => buildTree(departments), [departments]);
  const selected = departments.find((department) => department.id === selectedId) ?? null;
  const forbiddenParents = useMemo(
    () => (selected ? subtreeIds(departments, selected.id) : new Set<number>()),
    [departments, selected],
  );
  const nameOf = (id: number | null) =>
    id === null ? null : (departments.find((department) => department.id === id)?.name ?? `#${id}`);

  function toggle(id: number, open?: boolean) {
    setClosed((current) => {
      const next = new Set(current);
      const shouldOpen = open ?? next.has(id);
      if (shouldOpen) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function openDialog(kind: DialogKind) {
    setFailure(null);
    setOutcome(null);
    setName(kind === "rename" && selected ? selected.name : "");
    setCode(kind === "rename" && selected ? (selected.code ?? "") : "");
    setParent(
      kind === "move" && selected
        ? selected.parent_id === null
          ? ""
          : String(selected.parent_id)
        : kind === "create" && selected
          ? String(selected.id)
          : "",
    );
    setDialog(kind);
  }

  async function submit() {
    setPending(true);
    setFailure(null);
    let result;
    let text = "";
    if (dialog === "create") {
      result = await apiSend<DepartmentNode>("POST", "/api/departments", {
        name: name.trim(),
        code: code.trim() === "" ? null : code.trim(),
        parent_id: parent === "" ? null : Number(parent),
      });
      text = `Department ${name.trim()} created.`;
    } else if (dialog === "rename" && selected) {
      result = await apiSend<DepartmentNode>("PATCH", `/api/departments/${selected.id}`, {
        name: name.trim(),
        code: code.trim() === "" ? null : code.trim(),
      });
      text = `Department renamed to ${name.trim()}.`;
    } else if (dialog === "move" && selected) {
      result = await apiSend<DepartmentNode>("PATCH", `/api/departments/${selected.id}`, {
        parent_id: parent === "" ? null : Number(parent),
      });
      text = `${selected.name} now sits ${parent === "" ? "at the top level" : `under ${nameOf(Number(parent))}`}.`;
    } else if (dialog === "delete" && selected) {
      result = await apiSend<null>("DELETE", `/api/departments/${selected.id}`);
      text = `Department ${selected.name} deleted.`;
    } else {
      setPending(false);
      return;
    }
    setPending(false);
    if (!result.ok) {
      setFailure(result.failure);
      return;
    }
    setDialog(null);
    setOutcome({ tone: "success", text });
    if (dialog === "delete") navigate({ department: undefined, offset: undefined });
    if (dialog === "create" && result.value) navigate({ department: result.value.id, offset: undefined });
    tree.reload();
  }

  function renderNodes(nodes: TreeNode[], level: number) {
    return (
      <ul className={level === 1 ? "flex flex-col gap-0.5" : "ml-5 flex flex-col gap-0.5 border-l border-slate-200 pl-2"}>
        {nodes.map((node) => {
          const department = node.department;
          const hasChildren = node.children.length > 0;
          const open = !closed.has(department.id);
          const isSelected = department.id === selectedId;
          return (
            <li key={department.id}>
              <div className="flex items-center gap-1">
                {hasChildren ? (
                  <button
                    type="button"
                    aria-expanded={open}
                    aria-label={`${open ? "Collapse" : "Expand"} ${department.name}`}
                    onClick={() => toggle(department.id)}
                    className="flex size-7 items-center justify-center rounded text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600"
                  >
                    <span aria-hidden="true">{open ? "▾" : "▸"}</span>
                  </button>
                ) : (
                  <span className="size-7" aria-hidden="true" />
                )}
                <button
                  type="button"
                  data-department-id={department.id}
                  aria-current={isSelected ? "true" : undefined}
                  onClick={() => navigate({ department: department.id, offset: undefined })}
                  className={`flex flex-1 items-center justify-between gap-2 rounded-md px-2 py-1.5 text-left text-sm focus-visible:outline-2 focus-visible:outline-blue-600 ${
                    isSelected ? "bg-blue-100 font-medium text-blue-950" : "text-slate-900 hover:bg-slate-100"
                  }`}
                >
                  <span>
                    {department.name}
                    {department.code ? <span className="ml-1 text-xs text-slate-600"> ({department.code})</span> : null}
                  </span>
                  {department.head_count !== null ? (
                    <Badge>
                      <span className="sr-only">Head count: </span>
                      {department.head_count}
                    </Badge>
                  ) : null}
                </button>
              </div>
              {hasChildren && open ? renderNodes(node.children, level + 1) : null}
            </li>
          );
        })}
      </ul>
    );
  }

  const parentChoices = departments
    .filter((department) => dialog !== "move" || !forbiddenParents.has(department.id))
    .sort((a, b) => a.name.localeCompare(b.name));
  const pageSize = query.limit;

  return (
    <div className="flex flex-col gap-4">
      {outcome ? (
        <Notice tone="success" onDismiss={() => setOutcome(null)}>
          {outcome.text}
        </Notice>
      ) : null}
      {tree.data?.partial ? (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          Head counts cannot be shown right now: the dashboard service is unavailable.
        </p>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-[22rem_1fr]">
        <Card
          title="Organisation"
          description="Arrow keys move, Right/Left open and close."
          actions={
            canManage ? (
              <Button size="sm" className="whitespace-nowrap" onClick={() => openDialog("create")}>
                New department
              </Button>
            ) : undefined
          }
        >
          {tree.failure ? (
            <ErrorState
              message={tree.failure.message}
              code={tree.failure.code}
              action={
                <Button size="sm" variant="secondary" onClick={tree.reload}>
                  Try again
                </Button>
              }
            />
          ) : tree.loading && !tree.data ? (
            <Loading label="Loading departments…" />
          ) : departments.length === 0 ? (
            <EmptyState title="No departments yet" />
          ) : (
            <nav aria-label="Departments" onKeyDown={(event) => onTreeKey(event, toggle)}>
              {renderNodes(roots, 1)}
            </nav>
          )}
        </Card>

        {selected ? (
          <Card
            title={selected.name}
            description={
              <>
                {selected.code ? `Code ${selected.code} · ` : ""}
                {selected.parent_id === null ? "Top level" : `Part of ${nameOf(selected.parent_id)}`}
                {selected.head_count !== null ? ` · ${selected.head_count} active or on leave` : ""}
              </>
            }
            actions={
              canManage ? (
                <>
                  <Button size="sm" variant="secondary" onClick={() => openDialog("rename")}>
                    Rename…
                  </Button>
                  <Button size="sm" variant="secondary" onClick={() => openDialog("move")}>
                    Move…
                  </Button>
                  <Button size="sm" variant="danger" onClick={() => openDialog("delete")}>
                    Delete…
                  </Button>
                </>
              ) : undefined
            }
          >
            <DataTable<EmployeeRecord>
              caption={`Employees of ${selected.name}`}
              columns={employeeColumns}
              data={people.data?.items ?? []}
              total={people.data?.total ?? 0}
              pageIndex={Math.floor(query.offset / pageSize)}
              pageSize={pageSize}
              getRowId={(row) => String(row.id)}
              loading={people.loading}
              sorting={sortingOf(query.sort)}
              onSortingChange={(next) => navigate({ sort: sortParam(next), offset: undefined })}
              onPageChange={(index) => navigate({ offset: index * pageSize })}
              error={
                people.failure
                  ? {
                      message: people.failure.message,
                      code: people.failure.code,
                      action: (
                        <Button size="sm" variant="secondary" onClick={people.reload}>
                          Try again
                        </Button>
                      ),
                    }
                  : null
              }
              empty={<EmptyState title="Nobody in this department" />}
              toolbar={
                <SelectField
                  label="Status"
                  value={query.status ?? ""}
                  onChange={(event) => navigate({ status: event.target.value, offset: undefined })}
                >
                  <option value="">All statuses</option>
                  <option value="active">Active</option>
                  <option value="on_leave">On leave</option>
                  <option value="terminated">Terminated</option>
                </SelectField>
              }
            />
          </Card>
        ) : (
          <Card>
            <EmptyState title="Choose a department" description="Its employees show here." />
          </Card>
        )}
      </div>

      <Dialog
        open={dialog !== null}
        onClose={() => setDialog(null)}
        title={
          dialog === "create"
            ? "New department"
            : dialog === "rename"
              ? `Rename ${selected?.name ?? ""}`
              : dialog === "move"
                ? `Move ${selected?.name ?? ""}`
                : `Delete ${selected?.name ?? ""}`
        }
        description={
          dialog === "delete"
            ? "Only a department without employees and without sub-departments can be deleted."
            : undefined
        }
        footer={
          <>
            <Button variant="secondary" onClick={() => setDialog(null)}>
              Cancel
            </Button>
            <Button type="submit" form="department-form" variant={dialog === "delete" ? "danger" : "primary"} loading={pending}>
              {dialog === "create" ? "Create" : dialog === "rename" ? "Save" : dialog === "move" ? "Move" : "Delete"}
            </Button>
          </>
        }
      >
        <form
          id="department-form"
          className="flex flex-col gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          {dialog === "create" || dialog === "rename" ? (
            <>
              <Field
                label="Name"
                required
                maxLength={120}
                value={name}
                error={failure?.fieldErrors.name}
                onChange={(event) => setName(event.target.value)}
              />
              <Field
                label="Code (optional)"
                hint="Letters, digits, - and _"
                maxLength={20}
                value={code}
                error={failure?.fieldErrors.code}
                onChange={(event) => setCode(event.target.value)}
              />
            </>
          ) : null}
          {dialog === "create" || dialog === "move" ? (
            <SelectField
              label="Part of"
              value={parent}
              error={failure?.fieldErrors.parent_id}
              onChange={(event) => setParent(event.target.value)}
            >
              <option value="">Top level</option>
              {parentChoices.map((department) => (
                <option key={department.id} value={department.id}>
                  {department.name}
                </option>
              ))}
            </SelectField>
          ) : null}
          {dialog === "delete" && selected ? (
            <p className="text-sm text-slate-800">Delete the department {selected.name}?</p>
          ) : null}
        </form>
        {failure && Object.keys(failure.fieldErrors).every((field) => !["name", "code", "parent_id"].includes(field)) ? (
          <Notice tone="error">
            {failure.message}
            {failure.code ? <span className="block text-xs">Code: {failure.code}</span> : null}
          </Notice>
        ) : null}
      </Dialog>
    </div>
  );
}
