"use client";

import { Button, Dialog, Notice } from "@repo/ui";
import { useState, type FormEvent, type ReactNode } from "react";
import type { ApiResult, FetchFailure } from "@/lib/client/api";

/**
 * One action in a dialog: its fields, a submit that calls the BFF, the service's message on
 * failure (fields get their own through `failure.fieldErrors`), and on success `onDone` with what
 * to tell the user. Enter submits, Escape closes.
 */
export function ActionDialog<T>({
  open,
  onClose,
  title,
  description,
  submitLabel,
  danger = false,
  run,
  onDone,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  submitLabel: string;
  danger?: boolean;
  /** Checks the inputs (return a failure to stop) and calls the BFF. */
  run: () => Promise<ApiResult<T>> | { ok: false; failure: FetchFailure };
  onDone: (value: T) => void;
  children: (failure: FetchFailure | null) => ReactNode;
}) {
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const outcome = await run();
    setBusy(false);
    if (outcome.ok) {
      onDone(outcome.value);
      return;
    }
    setFailure(outcome.failure);
  }

  return (
    <Dialog
      open={open}
      onClose={() => {
        if (busy) return;
        setFailure(null);
        onClose();
      }}
      title={title}
      description={description}
    >
      <form onSubmit={submit} noValidate className="flex flex-col gap-3">
        {children(failure)}
        {failure ? <Notice tone="error">{failure.message}</Notice> : null}
        <div className="flex justify-end gap-2">
          <Button
            variant="secondary"
            onClick={() => {
              setFailure(null);
              onClose();
            }}
            disabled={busy}
          >
            Cancel
          </Button>
          <Button type="submit" variant={danger ? "danger" : "primary"} loading={busy}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A failure made here (an input missing) in the BFF's shape, so it shows like the service's. */
export function localFailure(field: string, message: string): { ok: false; failure: FetchFailure } {
  return { ok: false, failure: { status: 422, message, code: "validation_error", fieldErrors: { [field]: message }, body: null } };
}
