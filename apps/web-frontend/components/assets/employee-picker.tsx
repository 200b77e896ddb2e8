"use client";

import { Button, Field } from "@repo/ui";
import { useEffect, useId, useState } from "react";
import { searchEmployees, type EmployeeOption } from "@/lib/client/assets-api";

const STATUS_WORDS: Record<EmployeeOption["status"], string> = {
  active: "active",
  on_leave: "on leave",
  terminated: "terminated",
};

/**
 * Finds an employee by name or email (the employee service's search, 10 at a time) and picks one.
 * The results are real buttons: Tab to one, Enter picks it.
 */
export function EmployeePicker({
  label = "Find an employee",
  value,
  onChange,
  error,
}: {
  label?: string;
  value: EmployeeOption | null;
  onChange: (employee: EmployeeOption | null) => void;
  error?: string | null;
}) {
  const [q, setQ] = useState("");
  const [results, setResults] = useState<EmployeeOption[]>([]);
  const [state, setState] = useState<"idle" | "loading" | "failed">("idle");
  const [message, setMessage] = useState<string | null>(null);
  const listId = useId();

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setState("loading");
      searchEmployees(q, controller.signal)
        .then((outcome) => {
          if (controller.signal.aborted) return;
          if (outcome.ok) {
            setResults(outcome.value.items);
            setState("idle");
            setMessage(null);
          } else {
            setState("failed");
            setMessage(outcome.failure.message);
          }
        })
        .catch(() => undefined);
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  return (
    <div className="flex flex-col gap-2">
      {value ? (
        <div className="flex items-center justify-between gap-2 rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-sm">
          <span>
            Chosen: <strong>{value.name}</strong> <span className="text-slate-700">(#{value.id}, {value.email})</span>
          </span>
          <Button variant="ghost" size="sm" onClick={() => onChange(null)}>
            Change
          </Button>
        </div>
      ) : (
        <>
          <Field
            label={label}
            type="search"
            placeholder="Name or email"
            value={q}
            onChange={(event) => setQ(event.target.value)}
            onKeyDown={(event) => {
              // Enter in the search box picks the only (or first) match instead of submitting.
              if (event.key === "Enter") {
                event.preventDefault();
                if (results[0]) onChange(results[0]);
              }
            }}
            aria-controls={listId}
            error={error}
            autoComplete="off"
          />
          <ul id={listId} aria-label="Matching employees" aria-busy={state === "loading" || undefined} className="flex max-h-56 flex-col gap-1 overflow-y-auto">
            {results.map((person) => (
              <li key={person.id}>
                <button
                  type="button"
                  onClick={() => onChange(person)}
                  className="flex w-full flex-col items-start rounded-md border border-slate-200 px-3 py-1.5 text-left text-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-blue-600"
                >
                  <span className="font-medium text-slate-900">
                    {person.name} <span className="font-normal text-slate-600">#{person.id}</span>
                  </span>
                  <span className="text-xs text-slate-600">
                    {person.email}
                    {person.job_title ? ` · ${person.job_title}` : ""} · {STATUS_WORDS[person.status]}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {state === "failed" ? (
            <p role="alert" className="text-sm text-red-700">
              {message}
            </p>
          ) : state === "idle" && results.length === 0 ? (
            <p className="text-sm text-slate-600">No employee matches.</p>
          ) : null}
        </>
      )}
    </div>
  );
}
