"use client";

import { Button, Dialog, Field, Notice, SelectField, TextAreaField } from "@repo/ui";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { invoicesApi, pdfUrl, type FetchFailure, type InvoiceWithEmployee } from "@/lib/client/invoices-api";
import { formatMoney } from "@/lib/format";
import { PAYMENT_METHOD_LABELS, PAYMENT_METHOD_VALUES, todayIso } from "@/lib/invoices-query";

type Action = "issue" | "payment" | "credit" | "void" | "delete";

const LINK_BUTTON =
  "inline-flex h-10 items-center rounded-md border border-slate-300 bg-white px-4 text-sm font-medium text-slate-900 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

interface Props {
  invoice: InvoiceWithEmployee;
  canManage: boolean;
  /** A message from the page that led here ("created", "issued"). */
  initialNotice?: string | null;
}

/**
 * What can be done to an invoice, each in a dialog: issue (draft), record a payment (partial
 * too), credit note, void with a reason, delete (draft); edit (draft) and the PDF are links.
 * A refusal shows the service's message (on the field it names); a success says what happened
 * and reloads the page's data.
 */
export function InvoiceActions({ invoice, canManage, initialNotice }: Props) {
  const router = useRouter();
  const [open, setOpen] = useState<Action | null>(null);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(
    initialNotice ? { tone: "success", text: initialNotice } : null,
  );
  const label = invoice.number ?? `Draft #${invoice.id}`;
  const { status } = invoice;
  const draft = status === "draft";
  const payable = status === "issued" || status === "partially_paid";
  const creditable = payable || status === "paid";
  const voidable = draft || (status === "issued" && invoice.payments.length === 0 && invoice.credit_notes.length === 0);

  function done(text: string) {
    setOpen(null);
    setNotice({ tone: "success", text });
    router.refresh();
  }

  return (
    <div className="flex flex-col gap-3">
      {notice ? (
        <Notice tone={notice.tone} onDismiss={() => setNotice(null)}>
          {notice.text}
        </Notice>
      ) : null}
      <div className="flex flex-wrap gap-2" role="group" aria-label="Invoice actions">
        {canManage && draft ? (
          <>
            <Button onClick={() => setOpen("issue")}>Issue</Button>
            <Link href={`/invoices/${invoice.id}/edit`} className={LINK_BUTTON}>
              Edit
            </Link>
          </>
        ) : null}
        {canManage && payable ? <Button onClick={() => setOpen("payment")}>Record payment</Button> : null}
        {canManage && creditable ? (
          <Button variant="secondary" onClick={() => setOpen("credit")}>
            Credit note
          </Button>
        ) : null}
        <a href={pdfUrl(invoice.id, true)} className={LINK_BUTTON}>
          Download PDF
        </a>
        {canManage && voidable ? (
          <Button variant="secondary" onClick={() => setOpen("void")}>
            Void
          </Button>
        ) : null}
        {canManage && draft ? (
          <Button variant="danger" onClick={() => setOpen("delete")}>
            Delete
          </Button>
        ) : null}
      </div>

      <IssueDialog
        open={open === "issue"}
        onClose={() => setOpen(null)}
        invoice={invoice}
        onDone={(number) => done(`Issued as ${number}.`)}
      />
      {open === "payment" ? (
        <PaymentDialog
          invoice={invoice}
          onClose={() => setOpen(null)}
          onDone={(amount) => done(`Payment of ${amount} recorded on ${label}.`)}
        />
      ) : null}
      {open === "credit" ? (
        <CreditNoteDialog
          invoice={invoice}
          onClose={() => setOpen(null)}
          onDone={(number, total) => done(`Credit note ${number} of ${total} issued for ${label}.`)}
        />
      ) : null}
      {open === "void" ? (
        <VoidDialog invoice={invoice} onClose={() => setOpen(null)} onDone={() => done(`${label} voided.`)} />
      ) : null}
      <DeleteDialog
        open={open === "delete"}
        invoice={invoice}
        onClose={() => setOpen(null)}
        onDone={() => {
          router.push(`/invoices?deleted=${invoice.id}`);
          router.refresh();
        }}
      />
    </div>
  );
}

/** The footer of a form dialog: Cancel and the submit button. */
function Footer({ onClose, pending, children, variant = "primary" }: {
  onClose: () => void;
  pending: boolean;
  children: ReactNode;
  variant?: "primary" | "danger";
}) {
  return (
    <div className="flex justify-end gap-2">
      <Button variant="secondary" onClick={onClose}>
        Cancel
      </Button>
      <Button type="submit" variant={variant} loading={pending}>
        {children}
      </Button>
    </div>
  );
}

function Failure({ failure }: { failure: FetchFailure | null }) {
  if (!failure) return null;
  const onFields = failure.status === 422 && Object.keys(failure.fieldErrors).length > 0;
  return <Notice tone="error">{onFields ? "Check the marked fields." : failure.message}</Notice>;
}

function IssueDialog({ open, onClose, invoice, onDone }: {
  open: boolean;
  onClose: () => void;
  invoice: InvoiceWithEmployee;
  onDone: (number: string) => void;
}) {
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    const result = await invoicesApi.issue(invoice.id);
    setPending(false);
    if (result.ok) onDone(result.value.number ?? `#${invoice.id}`);
    else setFailure(result.failure);
  }
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Issue draft #${invoice.id}?`}
      description={`It gets the next invoice number and can no longer be edited. Total ${formatMoney(invoice.total, invoice.currency)}, due ${invoice.due_date}.`}
    >
      <form onSubmit={submit} className="flex flex-col gap-4">
        <Failure failure={failure} />
        <Footer onClose={onClose} pending={pending}>
          Issue
        </Footer>
      </form>
    </Dialog>
  );
}

function newKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function PaymentDialog({ invoice, onClose, onDone }: {
  invoice: InvoiceWithEmployee;
  onClose: () => void;
  onDone: (amount: string) => void;
}) {
  const [amount, setAmount] = useState(invoice.balance_due);
  const [date, setDate] = useState(todayIso());
  const [method, setMethod] = useState<string>("bank_transfer");
  const [reference, setReference] = useState("");
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  // One key per dialog: submitting again after a lost answer records the payment once.
  const [key] = useState(newKey);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    const result = await invoicesApi.recordPayment(invoice.id, {
      amount: amount.trim(),
      // Today means now (the service refuses a time in the future); an earlier day at noon UTC.
      paid_at: date && date !== todayIso() ? `${date}T12:00:00Z` : null,
      method,
      reference: reference.trim() || null,
      idempotency_key: key,
    });
    setPending(false);
    if (result.ok) onDone(formatMoney(result.value.amount, result.value.currency));
    else setFailure(result.failure);
  }
  const errors = failure?.fieldErrors ?? {};
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Record a payment on ${invoice.number ?? `#${invoice.id}`}`}
      description={`Balance due ${formatMoney(invoice.balance_due, invoice.currency)}. A smaller amount is a partial payment.`}
    >
      <form onSubmit={submit} className="flex flex-col gap-4">
        <Failure failure={failure} />
        <Field
          label={`Amount (${invoice.currency})`}
          inputMode="decimal"
          required
          value={amount}
          onChange={(event) => setAmount(event.target.value)}
          error={errors.amount}
        />
        <Field
          label="Paid on"
          type="date"
          max={todayIso()}
          value={date}
          onChange={(event) => setDate(event.target.value)}
          error={errors.paid_at}
        />
        <SelectField label="Method" value={method} onChange={(event) => setMethod(event.target.value)} error={errors.method}>
          {PAYMENT_METHOD_VALUES.map((value) => (
            <option key={value} value={value}>
              {PAYMENT_METHOD_LABELS[value]}
            </option>
          ))}
        </SelectField>
        <Field
          label="Reference"
          hint="Bank reference, card slip… (optional)"
          maxLength={200}
          value={reference}
          onChange={(event) => setReference(event.target.value)}
          error={errors.reference}
        />
        <Footer onClose={onClose} pending={pending}>
          Record payment
        </Footer>
      </form>
    </Dialog>
  );
}

function CreditNoteDialog({ invoice, onClose, onDone }: {
  invoice: InvoiceWithEmployee;
  onClose: () => void;
  onDone: (number: string, total: string) => void;
}) {
  const rates = [...new Set(invoice.lines.map((line) => line.tax_rate))];
  const [mode, setMode] = useState<"lines" | "amount">("lines");
  const [reason, setReason] = useState("");
  const [quantities, setQuantities] = useState<Record<number, string>>({});
  const [amount, setAmount] = useState("");
  const [rate, setRate] = useState(rates[0] ?? "0");
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  /** The invoice lines sent, in the order of the body (the service's `lines.N` are these). */
  const [sent, setSent] = useState<number[]>([]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    const chosen = invoice.lines.filter((line) => (quantities[line.id] ?? "").trim() !== "");
    setSent(chosen.map((line) => line.id));
    const result = await invoicesApi.creditNote(
      invoice.id,
      mode === "lines"
        ? { reason: reason.trim(), lines: chosen.map((line) => ({ line_id: line.id, quantity: quantities[line.id]!.trim() })) }
        : { reason: reason.trim(), amount: amount.trim(), tax_rate: rate },
    );
    setPending(false);
    if (result.ok) onDone(result.value.number, formatMoney(result.value.total, result.value.currency));
    else setFailure(result.failure);
  }
  const errors = failure?.fieldErrors ?? {};
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Credit note for ${invoice.number ?? `#${invoice.id}`}`}
      description="Credit some of the lines, or an amount (gross) at one of the invoice's tax rates."
      className="max-w-2xl"
    >
      <form onSubmit={submit} className="flex flex-col gap-4">
        <Failure failure={failure} />
        <TextAreaField
          label="Reason"
          required
          maxLength={500}
          rows={2}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          error={errors.reason}
        />
        <fieldset className="flex gap-4 text-sm">
          <legend className="mb-1 text-sm font-medium text-slate-800">Credit</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="credit-mode" checked={mode === "lines"} onChange={() => setMode("lines")} />
            Lines
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="credit-mode" checked={mode === "amount"} onChange={() => setMode("amount")} />
            An amount
          </label>
        </fieldset>
        {mode === "lines" ? (
          <table className="text-sm">
            <caption className="sr-only">Quantities to credit</caption>
            <thead>
              <tr className="text-left text-slate-700">
                <th scope="col" className="py-1 pr-2">Line</th>
                <th scope="col" className="py-1 pr-2">Invoiced</th>
                <th scope="col" className="py-1">Quantity to credit</th>
              </tr>
            </thead>
            <tbody>
              {invoice.lines.map((line) => {
                const sentAt = sent.indexOf(line.id);
                const lineError = errors[`lines.${sentAt}.quantity`] ?? errors[`lines.${sentAt}.line_id`];
                return (
                  <tr key={line.id}>
                    <th scope="row" className="py-1 pr-2 text-left font-normal">
                      {line.description}
                    </th>
                    <td className="py-1 pr-2 tabular-nums">{line.quantity}</td>
                    <td className="py-1">
                      <div className="flex items-center gap-2">
                        <input
                          aria-label={`Quantity of ${line.description} to credit`}
                          inputMode="decimal"
                          value={quantities[line.id] ?? ""}
                          onChange={(event) => setQuantities((current) => ({ ...current, [line.id]: event.target.value }))}
                          aria-invalid={lineError ? true : undefined}
                          className="h-9 w-28 rounded-md border border-slate-300 px-2 focus-visible:outline-2 focus-visible:outline-blue-600"
                        />
                        <Button
                          size="sm"
                          variant="ghost"
                          onClick={() => setQuantities((current) => ({ ...current, [line.id]: line.quantity }))}
                          aria-label={`Credit all of ${line.description}`}
                        >
                          All
                        </Button>
                      </div>
                      {lineError ? <p className="text-xs text-red-700">{lineError}</p> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <div className="flex flex-wrap gap-3">
            <Field
              label={`Amount, gross (${invoice.currency})`}
              inputMode="decimal"
              required
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              error={errors.amount}
            />
            <SelectField label="Tax rate" value={rate} onChange={(event) => setRate(event.target.value)} error={errors.tax_rate}>
              {rates.map((value) => (
                <option key={value} value={value}>
                  {Number(value)} %
                </option>
              ))}
            </SelectField>
          </div>
        )}
        {errors.lines ? <p className="text-sm text-red-700">{errors.lines}</p> : null}
        <Footer onClose={onClose} pending={pending}>
          Issue credit note
        </Footer>
      </form>
    </Dialog>
  );
}

function VoidDialog({ invoice, onClose, onDone }: { invoice: InvoiceWithEmployee; onClose: () => void; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    const result = await invoicesApi.void(invoice.id, reason.trim());
    setPending(false);
    if (result.ok) onDone();
    else setFailure(result.failure);
  }
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Void ${invoice.number ?? `draft #${invoice.id}`}?`}
      description="A void invoice stays on record (its number is not reused); its tax records are reversed."
    >
      <form onSubmit={submit} className="flex flex-col gap-4">
        <Failure failure={failure} />
        <TextAreaField
          label="Reason"
          required
          maxLength={500}
          rows={3}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          error={failure?.fieldErrors.reason}
        />
        <Footer onClose={onClose} pending={pending} variant="danger">
          Void invoice
        </Footer>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ open, invoice, onClose, onDone }: {
  open: boolean;
  invoice: InvoiceWithEmployee;
  onClose: () => void;
  onDone: () => void;
}) {
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    const result = await invoicesApi.remove(invoice.id);
    setPending(false);
    if (result.ok) onDone();
    else setFailure(result.failure);
  }
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Delete draft #${invoice.id}?`}
      description="The draft and its lines are removed for good."
    >
      <form onSubmit={submit} className="flex flex-col gap-4">
        <Failure failure={failure} />
        <Footer onClose={onClose} pending={pending} variant="danger">
          Delete draft
        </Footer>
      </form>
    </Dialog>
  );
}
