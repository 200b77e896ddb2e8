"use client";

import { Button, Field, Notice, SelectField, TextAreaField } from "@repo/ui";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { MAINTENANCE_KINDS, MAINTENANCE_KIND_LABELS, MONEY_PATTERN } from "@/lib/assets-query";
import {
  assetAction,
  deleteAsset,
  type AssetDetail,
  type EmployeeOption,
} from "@/lib/client/assets-api";
import { ActionDialog, localFailure } from "./action-dialog";
import { EmployeePicker } from "./employee-picker";

type Open = null | "assign" | "return" | "maintenance" | "dispose" | "delete";

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The changes an asset manager can make from an asset's page. Each opens a dialog; the service
 * decides (its message shows when it refuses); on success a notice says what happened and the
 * page's data is read again.
 */
export function AssetActions({ asset }: { asset: Pick<AssetDetail, "id" | "asset_tag" | "name" | "status" | "currency"> }) {
  const router = useRouter();
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Assign
  const [employee, setEmployee] = useState<EmployeeOption | null>(null);
  const [assignNotes, setAssignNotes] = useState("");
  // Return
  const [reason, setReason] = useState("");
  const [returnNotes, setReturnNotes] = useState("");
  // Maintenance
  const [kind, setKind] = useState<(typeof MAINTENANCE_KINDS)[number]>("corrective");
  const [description, setDescription] = useState("");
  const [vendor, setVendor] = useState("");
  const [cost, setCost] = useState("");
  const [nextDue, setNextDue] = useState("");
  // Dispose
  const [disposeDate, setDisposeDate] = useState(today);
  const [proceeds, setProceeds] = useState("0.00");
  const [disposeReason, setDisposeReason] = useState("");

  const status = asset.status;
  const disposed = status === "disposed";

  function done(message: string) {
    setOpen(null);
    setNotice(message);
    router.refresh();
  }

  function show(which: Open) {
    setNotice(null);
    setOpen(which);
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap gap-2" role="group" aria-label="Actions on this asset">
        {status === "in_stock" ? <Button onClick={() => show("assign")}>Assign…</Button> : null}
        {status === "assigned" ? <Button onClick={() => show("return")}>Return…</Button> : null}
        {!disposed && status !== "in_maintenance" ? (
          <Button variant="secondary" onClick={() => show("maintenance")}>
            Open maintenance…
          </Button>
        ) : null}
        {!disposed ? (
          <Link
            href={`/assets/${asset.id}/edit`}
            className="inline-flex h-10 items-center rounded-md border border-slate-300 bg-white px-4 text-sm font-medium text-slate-900 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
          >
            Edit
          </Link>
        ) : null}
        {status === "in_stock" || status === "retired" ? (
          <Button variant="secondary" onClick={() => show("dispose")}>
            Dispose of…
          </Button>
        ) : null}
        {status === "in_stock" ? (
          <Button variant="danger" onClick={() => show("delete")}>
            Delete…
          </Button>
        ) : null}
      </div>
      {notice ? (
        <Notice tone="success" onDismiss={() => setNotice(null)}>
          {notice}
        </Notice>
      ) : null}

      <ActionDialog
        open={open === "assign"}
        onClose={() => setOpen(null)}
        title={`Assign ${asset.asset_tag}`}
        description="Hand the asset to a current employee."
        submitLabel="Assign"
        run={() => {
          if (!employee) return localFailure("employee_id", "Choose the employee");
          return assetAction(asset.id, "assign", { employee_id: employee.id, notes: assignNotes.trim() || null });
        }}
        onDone={() => {
          done(`${asset.asset_tag} assigned to ${employee?.name ?? "the employee"}.`);
          setEmployee(null);
          setAssignNotes("");
        }}
      >
        {(failure) => (
          <>
            <EmployeePicker label="Employee" value={employee} onChange={setEmployee} error={failure?.fieldErrors.employee_id} />
            <Field label="Notes (optional)" value={assignNotes} maxLength={1000} onChange={(event) => setAssignNotes(event.target.value)} error={failure?.fieldErrors.notes} />
          </>
        )}
      </ActionDialog>

      <ActionDialog
        open={open === "return"}
        onClose={() => setOpen(null)}
        title={`Return ${asset.asset_tag}`}
        description="The asset comes back into stock; the history keeps who had it."
        submitLabel="Return to stock"
        run={() => assetAction(asset.id, "return", { reason: reason.trim() || null, notes: returnNotes.trim() || null })}
        onDone={() => {
          done(`${asset.asset_tag} returned to stock.`);
          setReason("");
          setReturnNotes("");
        }}
      >
        {(failure) => (
          <>
            <Field label="Reason (optional)" value={reason} maxLength={200} placeholder="e.g. replaced, leaving" onChange={(event) => setReason(event.target.value)} error={failure?.fieldErrors.reason} />
            <Field label="Notes (optional)" value={returnNotes} maxLength={1000} onChange={(event) => setReturnNotes(event.target.value)} error={failure?.fieldErrors.notes} />
          </>
        )}
      </ActionDialog>

      <ActionDialog
        open={open === "maintenance"}
        onClose={() => setOpen(null)}
        title={`Open maintenance on ${asset.asset_tag}`}
        description="The asset is in maintenance until the log is completed."
        submitLabel="Open maintenance"
        run={() => {
          if (!description.trim()) return localFailure("description", "Say what is done");
          if (cost.trim() && !MONEY_PATTERN.test(cost.trim())) return localFailure("cost", "A positive amount with at most 2 decimals");
          return assetAction(asset.id, "maintenance", {
            kind,
            description: description.trim(),
            vendor: vendor.trim() || null,
            cost: cost.trim() || "0",
            next_due_date: nextDue || null,
          });
        }}
        onDone={() => {
          done(`Maintenance opened on ${asset.asset_tag}.`);
          setDescription("");
          setVendor("");
          setCost("");
          setNextDue("");
        }}
      >
        {(failure) => (
          <>
            <SelectField label="Kind" value={kind} onChange={(event) => setKind(event.target.value as typeof kind)} error={failure?.fieldErrors.kind}>
              {MAINTENANCE_KINDS.map((item) => (
                <option key={item} value={item}>
                  {MAINTENANCE_KIND_LABELS[item]}
                </option>
              ))}
            </SelectField>
            <TextAreaField label="What is done" required value={description} maxLength={5000} onChange={(event) => setDescription(event.target.value)} error={failure?.fieldErrors.description} />
            <div className="grid gap-3 sm:grid-cols-3">
              <Field label="Vendor (optional)" value={vendor} maxLength={200} onChange={(event) => setVendor(event.target.value)} error={failure?.fieldErrors.vendor} />
              <Field label={`Cost (${asset.currency})`} inputMode="decimal" placeholder="0.00" value={cost} onChange={(event) => setCost(event.target.value)} error={failure?.fieldErrors.cost} />
              <Field label="Next due (optional)" type="date" value={nextDue} onChange={(event) => setNextDue(event.target.value)} error={failure?.fieldErrors.next_due_date} />
            </div>
          </>
        )}
      </ActionDialog>

      <ActionDialog
        open={open === "dispose"}
        onClose={() => setOpen(null)}
        title={`Dispose of ${asset.asset_tag}`}
        description="Sell, scrap or write off. The schedule stops at the disposal month; the gain or loss is the proceeds minus the book value then. This cannot be undone."
        submitLabel="Dispose of the asset"
        danger
        run={() => {
          if (!MONEY_PATTERN.test(proceeds.trim())) return localFailure("proceeds", "A positive amount with at most 2 decimals (0.00 when scrapped)");
          if (!disposeReason.trim()) return localFailure("reason", "Say why (sold, scrapped, stolen…)");
          return assetAction(asset.id, "dispose", { date: disposeDate, proceeds: proceeds.trim(), reason: disposeReason.trim() });
        }}
        onDone={() => done(`${asset.asset_tag} disposed of.`)}
      >
        {(failure) => (
          <>
            <div className="grid gap-3 sm:grid-cols-2">
              <Field label="Date" type="date" required value={disposeDate} onChange={(event) => setDisposeDate(event.target.value)} error={failure?.fieldErrors.date} />
              <Field label={`Proceeds (${asset.currency})`} inputMode="decimal" required value={proceeds} onChange={(event) => setProceeds(event.target.value)} error={failure?.fieldErrors.proceeds} />
            </div>
            <Field label="Reason" required value={disposeReason} maxLength={500} onChange={(event) => setDisposeReason(event.target.value)} error={failure?.fieldErrors.reason} />
          </>
        )}
      </ActionDialog>

      <ActionDialog
        open={open === "delete"}
        onClose={() => setOpen(null)}
        title={`Delete ${asset.asset_tag}?`}
        description="Only for an asset entered by mistake: in stock and never assigned or maintained. Otherwise retire or dispose of it."
        submitLabel="Delete"
        danger
        run={() => deleteAsset(asset.id)}
        onDone={() => {
          setOpen(null);
          router.push(`/assets?deleted=${encodeURIComponent(asset.asset_tag)}`);
          router.refresh();
        }}
      >
        {() => <p className="text-sm text-slate-800">{asset.name} will be removed from the register.</p>}
      </ActionDialog>
    </div>
  );
}
