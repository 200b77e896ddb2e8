"use client";

import { Notice } from "@repo/ui";
import type { FetchFailure } from "@/lib/client/api";

interface RejectedRow {
  id: number;
  ok: boolean;
  status?: number;
  code?: string;
  detail?: string;
}

/** The per-row results of a bulk 409 `bulk_rejected`, when the failure carries them. */
export function rejectedRows(failure: FetchFailure): RejectedRow[] | null {
  const body = failure.body as { code?: unknown; results?: unknown } | null;
  if (!body || body.code !== "bulk_rejected" || !Array.isArray(body.results)) return null;
  return (body.results as RejectedRow[]).filter((row) => typeof row?.id === "number");
}

/**
 * A refused bulk action: the service's message, then each row it refused with its reason (and
 * that the other rows were not changed either — the action is all or nothing).
 */
export function BulkFailure({
  failure,
  nameOf,
  onDismiss,
}: {
  failure: FetchFailure;
  nameOf: (id: number) => string;
  onDismiss?: () => void;
}) {
  const rows = rejectedRows(failure);
  const refused = rows?.filter((row) => !row.ok) ?? [];
  return (
    <Notice tone="error" onDismiss={onDismiss}>
      <p className="font-medium">{failure.message}</p>
      {rows ? (
        <>
          <p>Nothing was changed. {refused.length === 1 ? "One employee was" : `${refused.length} employees were`} refused:</p>
          <ul className="mt-1 list-disc pl-5">
            {refused.map((row) => (
              <li key={row.id}>
                <span className="font-medium">{nameOf(row.id)}</span>: {row.detail ?? "refused"}
                {row.code ? <span className="text-red-800"> ({row.code})</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Notice>
  );
}
