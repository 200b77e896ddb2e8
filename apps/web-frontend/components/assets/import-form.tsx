"use client";

import { Button, Notice } from "@repo/ui";
import Link from "next/link";
import { useId, useRef, useState, type FormEvent } from "react";
import { importAssets, importProblems, type FetchFailure, type ImportProblem } from "@/lib/client/assets-api";

/**
 * Upload a CSV of assets. The asset service checks every row and imports all or none: a refusal
 * lists each bad row with its column and message, as the service says it.
 */
export function ImportForm() {
  const inputId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  const [problems, setProblems] = useState<ImportProblem[]>([]);
  const [imported, setImported] = useState<{ count: number; ids: number[]; file: string } | null>(null);
  const [missing, setMissing] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const file = fileInput.current?.files?.[0];
    setFailure(null);
    setProblems([]);
    setImported(null);
    if (!file) {
      setMissing(true);
      fileInput.current?.focus();
      return;
    }
    setMissing(false);
    setBusy(true);
    const outcome = await importAssets(file);
    setBusy(false);
    if (outcome.ok) {
      setImported({ count: outcome.value.imported, ids: outcome.value.ids, file: file.name });
      if (fileInput.current) fileInput.current.value = "";
      return;
    }
    setFailure(outcome.failure);
    setProblems(importProblems(outcome.failure));
  }

  const message =
    failure && typeof (failure.body as { message?: unknown } | null)?.message === "string"
      ? (failure.body as { message: string }).message
      : failure?.message;

  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={inputId} className="text-sm font-medium text-slate-800">
            CSV file (at most 5 MB)
          </label>
          <input
            ref={fileInput}
            id={inputId}
            type="file"
            accept=".csv,text/csv"
            aria-invalid={missing || undefined}
            aria-describedby={missing ? `${inputId}-error` : undefined}
            onChange={() => setMissing(false)}
            className="rounded-md border border-slate-300 bg-white p-2 text-sm text-slate-900 file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-3 file:py-1 focus-visible:outline-2 focus-visible:outline-blue-600"
          />
          {missing ? (
            <p id={`${inputId}-error`} role="alert" className="text-sm text-red-700">
              Choose the CSV file to import
            </p>
          ) : null}
        </div>
        <Button type="submit" loading={busy}>
          Import
        </Button>
      </form>

      {imported ? (
        <Notice tone="success">
          {imported.count} asset{imported.count === 1 ? "" : "s"} imported from {imported.file}.{" "}
          <Link href={`/assets?ids=${imported.ids.slice(0, 500).join(",")}`} className="font-medium underline">
            Show them
          </Link>
        </Notice>
      ) : null}

      {failure ? (
        <div className="flex flex-col gap-2">
          <Notice tone="error">
            {problems.length > 0 ? message : failure.message}
            {failure.code ? <span className="ml-1 text-xs">({failure.code})</span> : null}
          </Notice>
          {problems.length > 0 ? (
            <div className="overflow-x-auto rounded-md border border-slate-200 bg-white">
              <table className="min-w-full text-left text-sm">
                <caption className="sr-only">The rows the asset service refused</caption>
                <thead className="bg-slate-50">
                  <tr>
                    <th scope="col" className="px-3 py-2 font-semibold">Line</th>
                    <th scope="col" className="px-3 py-2 font-semibold">Column</th>
                    <th scope="col" className="px-3 py-2 font-semibold">Problem</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {problems.map((problem, index) => (
                    <tr key={`${problem.row}-${problem.field ?? ""}-${index}`}>
                      <td className="px-3 py-2">{problem.row || "—"}</td>
                      <td className="px-3 py-2 font-mono text-xs">{problem.field ?? "(the row)"}</td>
                      <td className="px-3 py-2">{problem.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
