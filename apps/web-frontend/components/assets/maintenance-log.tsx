"use client";

import { Button, EmptyState, Field, Notice } from "@repo/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { MAINTENANCE_KIND_LABELS, MONEY_PATTERN } from "@/lib/assets-query";
import { completeMaintenance, type Maintenance } from "@/lib/client/assets-api";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { ActionDialog, localFailure } from "./action-dialog";

/** The asset's maintenance, newest first; an open log can be completed by an asset manager. */
export function MaintenanceLog({ logs, assetId, canManage }: { logs: Maintenance[]; assetId: number; canManage: boolean }) {
  const router = useRouter();
  const [completing, setCompleting] = useState<Maintenance | null>(null);
  const [cost, setCost] = useState("");
  const [nextDue, setNextDue] = useState("");
  const [notice, setNotice] = useState<string | null>(null);

  if (logs.length === 0) return <EmptyState title="No maintenance recorded" />;
  return (
    <div className="flex flex-col gap-3">
      {notice ? (
        <Notice tone="success" onDismiss={() => setNotice(null)}>
          {notice}
        </Notice>
      ) : null}
      <div className="overflow-x-auto">
        <table className="min-w-full text-left text-sm">
          <caption className="sr-only">Maintenance log</caption>
          <thead className="bg-slate-50">
            <tr>
              <th scope="col" className="px-3 py-2 font-semibold">Started</th>
              <th scope="col" className="px-3 py-2 font-semibold">Kind</th>
              <th scope="col" className="px-3 py-2 font-semibold">What</th>
              <th scope="col" className="px-3 py-2 font-semibold">Vendor</th>
              <th scope="col" className="px-3 py-2 text-right font-semibold">Cost</th>
              <th scope="col" className="px-3 py-2 font-semibold">Completed</th>
              <th scope="col" className="px-3 py-2 font-semibold">Next due</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {logs.map((log) => (
              <tr key={log.id} className="align-top">
                <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(log.started_at)}</td>
                <td className="px-3 py-2">{MAINTENANCE_KIND_LABELS[log.kind]}</td>
                <td className="px-3 py-2">{log.description}</td>
                <td className="px-3 py-2">{log.vendor ?? "—"}</td>
                <td className="px-3 py-2 text-right whitespace-nowrap">{formatMoney(log.cost, log.currency)}</td>
                <td className="px-3 py-2 whitespace-nowrap">
                  {log.completed_at ? (
                    formatDateTime(log.completed_at)
                  ) : canManage ? (
                    <Button
                      size="sm"
                      variant="secondary"
                      onClick={() => {
                        setNotice(null);
                        setCost(log.cost === "0.00" ? "" : log.cost);
                        setNextDue(log.next_due_date ?? "");
                        setCompleting(log);
                      }}
                    >
                      Complete…
                    </Button>
                  ) : (
                    <span className="text-amber-900">Open</span>
                  )}
                </td>
                <td className="px-3 py-2 whitespace-nowrap">{formatDate(log.next_due_date)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ActionDialog
        open={completing !== null}
        onClose={() => setCompleting(null)}
        title="Complete the maintenance"
        description={completing ? `${MAINTENANCE_KIND_LABELS[completing.kind]}: ${completing.description}` : undefined}
        submitLabel="Complete"
        run={() => {
          if (!completing) return localFailure("log", "No maintenance chosen");
          if (cost.trim() && !MONEY_PATTERN.test(cost.trim())) return localFailure("cost", "A positive amount with at most 2 decimals");
          return completeMaintenance(assetId, completing.id, {
            cost: cost.trim() || null,
            next_due_date: nextDue || null,
          });
        }}
        onDone={() => {
          setCompleting(null);
          setNotice("Maintenance completed; the asset is back to its previous status.");
          router.refresh();
        }}
      >
        {(failure) => (
          <div className="grid gap-3 sm:grid-cols-2">
            <Field
              label={`Final cost (${completing?.currency ?? ""})`}
              inputMode="decimal"
              placeholder="Keep the recorded cost"
              value={cost}
              onChange={(event) => setCost(event.target.value)}
              error={failure?.fieldErrors.cost}
            />
            <Field label="Next due (optional)" type="date" value={nextDue} onChange={(event) => setNextDue(event.target.value)} error={failure?.fieldErrors.next_due_date} />
          </div>
        )}
      </ActionDialog>
    </div>
  );
}
