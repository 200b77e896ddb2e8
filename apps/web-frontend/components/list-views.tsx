"use client";

import { Button, Dialog, Field, Notice } from "@repo/ui";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useId, useState } from "react";
import { apiGet, apiSend } from "@/lib/client/api";
import { useRemote } from "@/lib/client/use-url-query";
// Types only: erased from the browser bundle.
import type { Page } from "@/lib/services/page";
import type { SavedView, ViewInput, ViewResource } from "@/lib/services/saved-views";

export interface ListColumn {
  id: string;
  label: string;
}

/** The chooser's entries from a table's column definitions (their ids and header texts). */
export function listColumns(columns: readonly { id?: string; header?: unknown }[]): ListColumn[] {
  return columns
    .filter((column): column is { id: string; header?: unknown } => typeof column.id === "string")
    .map((column) => ({ id: column.id, label: typeof column.header === "string" ? column.header : column.id }));
}

/** URL parameters that are not part of a view: where in the list one is. */
const POSITION = new Set(["offset", "limit", "cursor"]);

/** The list's URL state as a view: every filter, the sort, the visible columns. */
export function viewOf(params: URLSearchParams): Pick<ViewInput, "filters" | "sort" | "columns"> {
  const filters: Record<string, string> = {};
  for (const [key, value] of params.entries()) {
    if (key === "sort" || key === "columns" || POSITION.has(key) || value === "") continue;
    if (/^[a-z_]{1,40}$/.test(key)) filters[key] = value;
  }
  const columns = params.get("columns");
  return {
    filters,
    sort: params.get("sort") || null,
    columns: columns ? columns.split(",").filter(Boolean) : null,
  };
}

/** A view back as URL parameters (first page). */
export function paramsOf(view: Pick<SavedView, "filters" | "sort" | "columns">): URLSearchParams {
  const params = new URLSearchParams(view.filters);
  if (view.sort) params.set("sort", view.sort);
  if (view.columns && view.columns.length > 0) params.set("columns", view.columns.join(","));
  return params;
}

/**
 * Above a list: the user's saved views of it (a named filter + sort + columns, kept per user by
 * the employee service), "Save view", and which columns show. Everything goes through the URL,
 * so a view is also a link.
 */
export function ListViews({ resource, columns }: { resource: ViewResource; columns: ListColumn[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const selectId = useId();
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [columnsOpen, setColumnsOpen] = useState(false);

  const views = useRemote<Page<SavedView>>(`views:${resource}`, (signal) =>
    apiGet<Page<SavedView>>("/api/saved-views", { resource }, signal),
  );
  const current = viewOf(new URLSearchParams(searchParams.toString()));
  const currentKey = paramsOf(current).toString();
  const active = views.data?.items.find((view) => paramsOf(view).toString() === currentKey) ?? null;
  const shown = new Set(current.columns ?? columns.map((column) => column.id));

  function open(params: URLSearchParams) {
    const text = params.toString();
    router.replace(text ? `${pathname}?${text}` : pathname, { scroll: false });
  }

  function setColumns(next: Set<string>) {
    const params = new URLSearchParams(searchParams.toString());
    const all = columns.every((column) => next.has(column.id));
    if (all) params.delete("columns");
    else params.set("columns", columns.filter((column) => next.has(column.id)).map((column) => column.id).join(","));
    open(params);
  }

  async function save(overwrite: SavedView | null) {
    setBusy(true);
    setNameError(null);
    const body: ViewInput = { resource, name: name.trim(), ...current };
    const outcome = overwrite
      ? await apiSend<SavedView>("PUT", `/api/saved-views/${overwrite.id}`, body)
      : await apiSend<SavedView>("POST", "/api/saved-views", body);
    setBusy(false);
    if (outcome.ok) {
      setSaving(false);
      setName("");
      setNotice({ tone: "success", text: `View “${outcome.value.name}” saved` });
      views.reload();
      return;
    }
    setNameError(outcome.failure.fieldErrors.name ?? outcome.failure.message);
  }

  async function remove(view: SavedView) {
    const outcome = await apiSend<void>("DELETE", `/api/saved-views/${view.id}`);
    setNotice(
      outcome.ok
        ? { tone: "success", text: `View “${view.name}” deleted` }
        : { tone: "error", text: outcome.failure.message },
    );
    views.reload();
  }

  const taken = views.data?.items.find((view) => view.name.trim().toLowerCase() === name.trim().toLowerCase()) ?? null;

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor={selectId} className="text-sm font-medium text-slate-800">
            Saved view
          </label>
          <select
            id={selectId}
            value={active ? String(active.id) : ""}
            onChange={(event) => {
              const view = views.data?.items.find((candidate) => String(candidate.id) === event.target.value);
              open(view ? paramsOf(view) : new URLSearchParams());
            }}
            className="h-10 min-w-48 rounded-md border border-slate-300 bg-white px-3 text-sm focus-visible:outline-2 focus-visible:outline-blue-600"
          >
            <option value="">{active ? "All (no view)" : views.loading ? "Loading views…" : "Current filters"}</option>
            {(views.data?.items ?? []).map((view) => (
              <option key={view.id} value={view.id}>
                {view.name}
              </option>
            ))}
          </select>
        </div>
        <Button variant="secondary" onClick={() => setSaving(true)}>
          Save view…
        </Button>
        {active ? (
          <Button variant="ghost" onClick={() => void remove(active)}>
            Delete “{active.name}”
          </Button>
        ) : null}
        <Button
          variant="secondary"
          aria-expanded={columnsOpen}
          aria-controls={`${selectId}-columns`}
          onClick={() => setColumnsOpen((value) => !value)}
        >
          Columns
        </Button>
      </div>
      {columnsOpen ? (
        <fieldset
          id={`${selectId}-columns`}
          className="flex flex-wrap gap-x-4 gap-y-2 rounded-md border border-slate-200 bg-white p-3"
        >
          <legend className="px-1 text-sm font-medium text-slate-800">Columns to show</legend>
          {columns.map((column) => (
            <label key={column.id} className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="checkbox"
                className="size-4 accent-blue-700"
                checked={shown.has(column.id)}
                disabled={shown.has(column.id) && shown.size === 1}
                onChange={(event) => {
                  const next = new Set(shown);
                  if (event.target.checked) next.add(column.id);
                  else next.delete(column.id);
                  setColumns(next);
                }}
              />
              {column.label}
            </label>
          ))}
        </fieldset>
      ) : null}
      {views.failure ? <Notice tone="warning">Saved views are unavailable: {views.failure.message}</Notice> : null}
      {notice ? (
        <Notice tone={notice.tone} onDismiss={() => setNotice(null)}>
          {notice.text}
        </Notice>
      ) : null}
      <Dialog
        open={saving}
        onClose={() => setSaving(false)}
        title="Save this view"
        description="The current filters, sort and columns, under a name only you see."
        footer={
          <>
            <Button variant="secondary" onClick={() => setSaving(false)}>
              Cancel
            </Button>
            <Button type="submit" form={`${selectId}-save`} loading={busy}>
              {taken ? `Replace “${taken.name}”` : "Save view"}
            </Button>
          </>
        }
      >
        <form
          id={`${selectId}-save`}
          onSubmit={(event) => {
            event.preventDefault();
            void save(taken);
          }}
        >
          <Field
            label="Name"
            value={name}
            maxLength={80}
            required
            autoFocus
            error={nameError}
            onChange={(event) => setName(event.target.value)}
          />
        </form>
      </Dialog>
    </div>
  );
}
