"use client";

import { Button, Dialog, Field, Notice, SelectField } from "@repo/ui";
import { useState, type FormEvent } from "react";
import { MAX_BULK_IDS, type BulkAction, type BulkBodyInput } from "@/lib/assets-query";
import {
  bulkAssets,
  bulkRejection,
  type BulkRejected,
  type Category,
  type EmployeeOption,
  type FetchFailure,
} from "@/lib/client/assets-api";
import { EmployeePicker } from "./employee-picker";

const TITLES: Record<BulkAction, string> = {
  assign: "Assign to an employee",
  return: "Return to stock",
  set_status: "Change status",
  set_category: "Change category",
};

const DONE: Record<BulkAction, string> = {
  assign: "assigned",
  return: "returned",
  set_status: "updated",
  set_category: "moved to the new category",
};

/**
 * The bulk actions on a selection (asset managers): one dialog per action, one request
 * (`POST /api/assets/bulk`). All or nothing: when the service refuses some rows (409
 * `bulk_rejected`) the dialog lists each row with its reason and nothing changed.
 */
export function BulkActions({
  ids,
  labelOf,
  categories,
  onDone,
  onUnselect,
}: {
  ids: number[];
  /** The asset tag of a selected id (for the per-row reasons). */
  labelOf: (id: number) => string;
  categories: Category[];
  /** Called after a successful action with what to tell the user. */
  onDone: (message: string) => void;
  /** Takes assets out of the selection (the ones the service refused). */
  onUnselect: (ids: number[]) => void;
}) {
  const [action, setAction] = useState<BulkAction | null>(null);
  const [employee, setEmployee] = useState<EmployeeOption | null>(null);
  const [status, setStatus] = useState<"in_stock" | "retired">("retired");
  const [categoryId, setCategoryId] = useState("");
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  const [rejected, setRejected] = useState<BulkRejected | null>(null);
  const tooMany = ids.length > MAX_BULK_IDS;

  function open(next: BulkAction) {
    setAction(next);
    setFailure(null);
    setRejected(null);
    setEmployee(null);
    setNote("");
    setReason("");
    setCategoryId("");
  }

  function close() {
    if (!busy) setAction(null);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!action) return;
    const body: BulkBodyInput = { action, ids };
    if (action === "assign") {
      if (!employee) {
        setFailure({ status: 422, message: "Choose the employee", code: null, fieldErrors: { employee_id: "Choose the employee" }, body: null });
        return;
      }
      body.employee_id = employee.id;
      if (note.trim()) body.note = note.trim();
    }
    if (action === "return") {
      if (note.trim()) body.note = note.trim();
      if (reason.trim()) body.reason = reason.trim();
    }
    if (action === "set_status") body.status = status;
    if (action === "set_category") {
      if (!categoryId) {
        setFailure({ status: 422, message: "Choose the category", code: null, fieldErrors: { category_id: "Choose the category" }, body: null });
        return;
      }
      body.category_id = Number(categoryId);
    }
    setBusy(true);
    setFailure(null);
    setRejected(null);
    const outcome = await bulkAssets(body);
    setBusy(false);
    if (outcome.ok) {
      setAction(null);
      const count = outcome.value.succeeded;
      const whom = action === "assign" && employee ? ` to ${employee.name}` : "";
      onDone(`${count} asset${count === 1 ? "" : "s"} ${DONE[action]}${whom}.`);
      return;
    }
    const rows = bulkRejection(outcome.failure);
    if (rows) setRejected(rows);
    else setFailure(outcome.failure);
  }

  const failedRows = rejected?.results.filter((row) => !row.ok) ?? [];

  return (
    <>
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Actions on the selected assets">
        <Button size="sm" variant="secondary" onClick={() => open("assign")} disabled={tooMany}>
          Assign…
        </Button>
        <Button size="sm" variant="secondary" onClick={() => open("return")} disabled={tooMany}>
          Return…
        </Button>
        <Button size="sm" variant="secondary" onClick={() => open("set_status")} disabled={tooMany}>
          Change status…
        </Button>
        <Button size="sm" variant="secondary" onClick={() => open("set_category")} disabled={tooMany}>
          Change category…
        </Button>
        {tooMany ? (
          <span className="text-sm text-amber-900">Bulk actions take at most {MAX_BULK_IDS} assets at a time.</span>
        ) : null}
      </div>
      <Dialog
        open={action !== null}
        onClose={close}
        title={action ? `${TITLES[action]}: ${ids.length} asset${ids.length === 1 ? "" : "s"}` : ""}
        description="All or nothing: if any asset cannot take the action, none is changed."
        className="max-w-xl"
      >
        <form onSubmit={submit} className="flex flex-col gap-3">
          {action === "assign" ? (
            <>
              <EmployeePicker label="Employee to assign to" value={employee} onChange={setEmployee} error={failure?.fieldErrors.employee_id} />
              <Field label="Note (optional)" value={note} onChange={(event) => setNote(event.target.value)} maxLength={1000} error={failure?.fieldErrors.note} />
            </>
          ) : null}
          {action === "return" ? (
            <>
              <Field label="Reason (optional)" value={reason} onChange={(event) => setReason(event.target.value)} maxLength={200} error={failure?.fieldErrors.reason} />
              <Field label="Note (optional)" value={note} onChange={(event) => setNote(event.target.value)} maxLength={1000} error={failure?.fieldErrors.note} />
            </>
          ) : null}
          {action === "set_status" ? (
            <SelectField
              label="New status"
              hint="Only in stock ↔ retired here; assign, return, maintenance and disposal have their own actions."
              value={status}
              onChange={(event) => setStatus(event.target.value as "in_stock" | "retired")}
              error={failure?.fieldErrors.status}
            >
              <option value="retired">Retired</option>
              <option value="in_stock">In stock</option>
            </SelectField>
          ) : null}
          {action === "set_category" ? (
            <SelectField label="New category" value={categoryId} onChange={(event) => setCategoryId(event.target.value)} error={failure?.fieldErrors.category_id}>
              <option value="">Choose…</option>
              {categories.map((category) => (
                <option key={category.id} value={category.id}>
                  {category.name} ({category.code})
                </option>
              ))}
            </SelectField>
          ) : null}
          {failure ? <Notice tone="error">{failure.message}</Notice> : null}
          {rejected ? (
            <div role="alert" className="flex flex-col gap-2">
              <Notice tone="error">{rejected.detail}</Notice>
              <table className="w-full text-left text-sm">
                <caption className="sr-only">Assets that cannot take the action</caption>
                <thead>
                  <tr className="border-b border-slate-200">
                    <th scope="col" className="py-1 pr-3 font-semibold">Asset</th>
                    <th scope="col" className="py-1 font-semibold">Why not</th>
                  </tr>
                </thead>
                <tbody>
                  {failedRows.map((row) =>
                    row.ok ? null : (
                      <tr key={row.id} className="border-b border-slate-100 align-top">
                        <td className="py-1 pr-3 font-mono text-xs">{labelOf(row.id)}</td>
                        <td className="py-1">
                          {row.detail} <span className="text-xs text-slate-600">({row.code})</span>
                        </td>
                      </tr>
                    ),
                  )}
                </tbody>
              </table>
              <div className="flex flex-wrap items-center gap-2">
                <p className="text-sm text-slate-700">
                  {rejected.results.length - failedRows.length} other asset(s) could take it.
                </p>
                {rejected.results.length > failedRows.length ? (
                  <Button
                    size="sm"
                    variant="secondary"
                    onClick={() => {
                      onUnselect(failedRows.map((row) => row.id));
                      setRejected(null);
                    }}
                  >
                    Unselect the {failedRows.length} refused and keep the rest
                  </Button>
                ) : null}
              </div>
            </div>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={close} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {action ? TITLES[action] : "Apply"}
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
