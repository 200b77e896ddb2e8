"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Button, Card, Field, Notice, TextAreaField } from "@repo/ui";
import { cn } from "@repo/ui/cn";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type InputHTMLAttributes, type Ref } from "react";
import { Controller, useFieldArray, useForm, useWatch, type FieldPath } from "react-hook-form";
import { z } from "zod";
import {
  invoicesApi,
  type FetchFailure,
  type Invoice,
  type InvoicePreview,
  type InvoiceWithEmployee,
} from "@/lib/client/invoices-api";
import { formatMoney } from "@/lib/format";
import { COMMON_CURRENCIES, type InvoiceCreateBody, type InvoicePreviewBody } from "@/lib/invoices-query";
import { Combobox, type ComboOption } from "./combobox";
import { searchCustomerOptions, searchEmployeeOptions, type CustomerOption } from "./pickers";

const decimal = (places: number, what: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => value === "" || new RegExp(`^(?:[0-9]{1,12}(?:\\.[0-9]{0,${places}})?|\\.[0-9]{1,${places}})$`).test(value),
      `${what}: digits with at most ${places} decimals`,
    );

const lineSchema = z.object({
  description: z.string().max(500, "At most 500 characters"),
  quantity: decimal(3, "Quantity"),
  unit_price: decimal(2, "Unit price"),
  discount_percent: decimal(2, "Discount"),
  tax_rate: decimal(2, "Tax rate"),
});

const formSchema = z.object({
  customer: z
    .object({ id: z.number(), name: z.string(), currency: z.string().optional() })
    .nullable()
    .refine((value) => value !== null, "Choose a customer"),
  currency: z
    .string()
    .trim()
    .refine((value) => value === "" || /^[A-Za-z]{3}$/.test(value), "A 3-letter currency code, e.g. EUR"),
  issue_date: z.string(),
  due_date: z.string(),
  notes: z.string().max(2000, "At most 2000 characters"),
  employee: z.object({ id: z.number(), name: z.string() }).nullable(),
  lines: z.array(lineSchema).max(500),
});
type FormValues = z.input<typeof formSchema>;
type LineValues = FormValues["lines"][number];

const BLANK_LINE: LineValues = { description: "", quantity: "1", unit_price: "", discount_percent: "0", tax_rate: "0" };

function isBlank(line: LineValues): boolean {
  return line.description.trim() === "" && line.unit_price.trim() === "";
}

/** A line the service can price: everything it requires is there. */
function isComplete(line: LineValues): boolean {
  return line.description.trim() !== "" && line.quantity.trim() !== "" && line.unit_price.trim() !== "";
}

function lineBody(line: LineValues) {
  return {
    description: line.description.trim(),
    quantity: line.quantity.trim(),
    unit_price: line.unit_price.trim(),
    discount_percent: line.discount_percent.trim() || "0",
    tax_rate: line.tax_rate.trim() || "0",
  };
}

/**
 * The body for the service and, for each of its lines, the form line it came from (so that the
 * service's `lines.2.unit_price` lands on the right row when some rows were left out).
 */
function toBody(values: FormValues, keep: (line: LineValues) => boolean): { body: InvoiceCreateBody; lineIndex: number[] } {
  const lineIndex: number[] = [];
  const lines = values.lines.flatMap((line, index) => {
    if (!keep(line)) return [];
    lineIndex.push(index);
    return [lineBody(line)];
  });
  return {
    body: {
      customer_id: values.customer?.id ?? 0,
      issue_date: values.issue_date || null,
      due_date: values.due_date || null,
      currency: values.currency.trim() ? values.currency.trim().toUpperCase() : null,
      notes: values.notes.trim() ? values.notes : null,
      employee_id: values.employee?.id ?? null,
      lines,
    },
    lineIndex,
  };
}

/** The service's field names (`customer_id`, `lines.1.unit_price`) as this form's. */
function formFieldErrors(fieldErrors: Record<string, string>, lineIndex: number[]): Record<string, string> {
  const mapped: Record<string, string> = {};
  for (const [field, message] of Object.entries(fieldErrors)) {
    let name = field;
    if (field === "customer_id") name = "customer";
    else if (field === "employee_id") name = "employee";
    else {
      const match = /^lines\.(\d+)(\..+)?$/.exec(field);
      if (match) name = `lines.${lineIndex[Number(match[1])] ?? match[1]}${match[2] ?? ""}`;
    }
    if (!(name in mapped)) mapped[name] = message;
  }
  return mapped;
}

function initialValues(invoice: InvoiceWithEmployee | null): FormValues {
  if (!invoice) {
    return {
      customer: null,
      currency: "",
      issue_date: "",
      due_date: "",
      notes: "",
      employee: null,
      lines: [{ ...BLANK_LINE }],
    };
  }
  return {
    customer: { id: invoice.customer_id, name: invoice.customer_name },
    currency: invoice.currency,
    issue_date: invoice.issue_date,
    due_date: invoice.due_date,
    notes: invoice.notes ?? "",
    employee: invoice.employee
      ? { id: invoice.employee.id, name: invoice.employee.name ?? `Employee #${invoice.employee.id}` }
      : null,
    lines: invoice.lines.length
      ? invoice.lines.map((line) => ({
          description: line.description,
          quantity: line.quantity,
          unit_price: line.unit_price,
          discount_percent: line.discount_percent,
          tax_rate: line.tax_rate,
        }))
      : [{ ...BLANK_LINE }],
  };
}

type PreviewState =
  | { state: "idle" }
  | { state: "loading"; last: InvoicePreview | null; lineIndex: number[] }
  | { state: "ready"; preview: InvoicePreview; lineIndex: number[] }
  | { state: "failed"; last: InvoicePreview | null; lineIndex: number[]; failure: FetchFailure };

/**
 * Writing an invoice: customer, currency, dates, responsible employee, notes and its lines
 * (add, remove, move up/down — buttons or Alt+↑/↓ in a line). The totals are the service's own:
 * 300 ms after an edit the form asks `POST /api/invoices/preview` and shows each line's and the
 * invoice's subtotal, tax and total; the service's 422 messages appear on their fields.
 */
export function InvoiceForm({ invoice }: { invoice: InvoiceWithEmployee | null }) {
  const router = useRouter();
  const editing = invoice !== null;
  const defaults = useMemo(() => initialValues(invoice), [invoice]);
  const {
    control,
    register,
    handleSubmit,
    setValue,
    getFieldState,
    formState: { errors, isSubmitting },
  } = useForm<FormValues>({ resolver: zodResolver(formSchema), defaultValues: defaults, mode: "onTouched" });
  const { fields, append, remove, move } = useFieldArray({ control, name: "lines" });
  const values = useWatch({ control }) as FormValues;
  const [serviceErrors, setServiceErrors] = useState<{ source: "preview" | "save"; errors: Record<string, string> }>({
    source: "save",
    errors: {},
  });
  // Editing: the stored totals stand until the service's first preview answers.
  const [preview, setPreview] = useState<PreviewState>(() =>
    invoice
      ? {
          state: "ready",
          preview: {
            currency: invoice.currency,
            lines: invoice.lines.map(({ position, net_amount, tax_amount, total }) => ({
              position,
              net_amount,
              tax_amount,
              total,
            })),
            subtotal: invoice.subtotal,
            tax_total: invoice.tax_total,
            total: invoice.total,
          },
          lineIndex: invoice.lines.map((_, index) => index),
        }
      : { state: "idle" },
  );
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState<"draft" | "issue" | null>(null);
  const lastPreviewBody = useRef<string>("");

  // Live totals: the service computes them, 300 ms after the last edit.
  const previewInput = toBody(values, (line) => isComplete(line));
  const canPreview = Boolean(values.customer) || /^[A-Za-z]{3}$/.test(values.currency.trim());
  const previewKey = canPreview
    ? JSON.stringify({ ...previewInput.body, customer_id: values.customer?.id ?? null })
    : "";
  useEffect(() => {
    if (!previewKey || previewKey === lastPreviewBody.current) return;
    const { lineIndex } = previewInput;
    const timer = setTimeout(() => {
      lastPreviewBody.current = previewKey;
      setPreview((current) => ({
        state: "loading",
        last: current.state === "ready" ? current.preview : current.state === "idle" ? null : current.last,
        lineIndex,
      }));
      void invoicesApi.preview(JSON.parse(previewKey) as InvoicePreviewBody).then((result) => {
        if (lastPreviewBody.current !== previewKey) return;
        if (result.ok) {
          setPreview({ state: "ready", preview: result.value, lineIndex });
          setServiceErrors((current) => (current.source === "preview" ? { source: "preview", errors: {} } : current));
        } else {
          setPreview((current) => ({
            state: "failed",
            last: current.state === "loading" ? current.last : null,
            lineIndex,
            failure: result.failure,
          }));
          if (result.failure.status === 422) {
            setServiceErrors({ source: "preview", errors: formFieldErrors(result.failure.fieldErrors, lineIndex) });
          }
        }
      });
    }, 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- previewKey stands for the body
  }, [previewKey]);

  /** The message to show on a field: the form's own check, else the service's. */
  function errorOf(name: string): string | undefined {
    const own = name.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], errors) as
      | { message?: string }
      | undefined;
    if (own?.message) return own.message;
    const service = serviceErrors.errors[name];
    if (!service) return undefined;
    // While typing, the preview's complaints show on the fields already touched.
    if (serviceErrors.source === "preview") {
      const state = getFieldState(name as FieldPath<FormValues>);
      if (!state.isDirty && !state.isTouched) return undefined;
    }
    return service;
  }

  async function save(formValues: FormValues, then: "draft" | "issue") {
    setFailure(null);
    setSaving(then);
    const { body, lineIndex } = toBody(formValues, (line) => !isBlank(line));
    const saved = editing ? await invoicesApi.update(invoice.id, body) : await invoicesApi.create(body);
    if (!saved.ok) {
      setSaving(null);
      setServiceErrors({ source: "save", errors: formFieldErrors(saved.failure.fieldErrors, lineIndex) });
      setFailure(saved.failure.message);
      return;
    }
    let result: Invoice = saved.value;
    let notice = editing ? "saved" : "created";
    if (then === "issue") {
      const issued = await invoicesApi.issue(result.id);
      if (!issued.ok) {
        setSaving(null);
        setFailure(`Saved as a draft, but it could not be issued: ${issued.failure.message}`);
        if (!editing) router.replace(`/invoices/${result.id}/edit`);
        return;
      }
      result = issued.value;
      notice = "issued";
    }
    router.push(`/invoices/${result.id}?notice=${notice}`);
    router.refresh();
  }

  const shown = preview.state === "ready" ? preview.preview : preview.state === "idle" ? null : preview.last;
  const shownIndex = preview.state === "idle" ? [] : preview.lineIndex;
  const currency = (shown?.currency ?? (values.currency || values.customer?.currency || invoice?.currency || "EUR")).toUpperCase();
  const lineTotals = new Map<number, InvoicePreview["lines"][number]>();
  shown?.lines.forEach((line, index) => {
    const formIndex = shownIndex[index];
    if (formIndex !== undefined) lineTotals.set(formIndex, line);
  });
  const money = (amount: string | undefined) =>
    amount === undefined ? "—" : /^[A-Z]{3}$/.test(currency) ? formatMoney(amount, currency) : amount;

  function moveLine(from: number, to: number, focusId: string) {
    if (to < 0 || to >= fields.length) return;
    move(from, to);
    requestAnimationFrame(() => document.getElementById(focusId.replace("{i}", String(to)))?.focus());
  }

  return (
    <form
      noValidate
      onSubmit={handleSubmit((formValues) => save(formValues, "draft"))}
      className="flex flex-col gap-4"
      aria-describedby={failure ? "invoice-form-failure" : undefined}
    >
      {failure ? (
        <div id="invoice-form-failure">
          <Notice tone="error" onDismiss={() => setFailure(null)}>
            {failure}
          </Notice>
        </div>
      ) : null}

      <Card title="Customer and dates">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
          <Controller
            control={control}
            name="customer"
            render={({ field }) => (
              <Combobox<CustomerOption>
                label="Customer"
                placeholder="Search customers"
                value={field.value as CustomerOption | null}
                onChange={(option) => {
                  field.onChange(option);
                  field.onBlur();
                  if (option?.currency && !getFieldState("currency").isDirty) {
                    setValue("currency", option.currency);
                  }
                }}
                search={searchCustomerOptions}
                error={errorOf("customer")}
              />
            )}
          />
          <div>
            <Field
              label="Currency"
              list="invoice-form-currencies"
              maxLength={3}
              hint="The customer's when left empty"
              error={errorOf("currency")}
              {...register("currency")}
            />
            <datalist id="invoice-form-currencies">
              {COMMON_CURRENCIES.map((code) => (
                <option key={code} value={code} />
              ))}
            </datalist>
          </div>
          <Controller
            control={control}
            name="employee"
            render={({ field }) => (
              <Combobox<ComboOption>
                label="Responsible employee"
                placeholder="Search employees"
                hint="Optional"
                value={field.value ?? null}
                onChange={(option) => {
                  field.onChange(option);
                  field.onBlur();
                }}
                search={searchEmployeeOptions}
                error={errorOf("employee")}
              />
            )}
          />
          <Field label="Issue date" type="date" hint="Today when left empty" error={errorOf("issue_date")} {...register("issue_date")} />
          <Field
            label="Due date"
            type="date"
            hint="From the customer's payment terms when left empty"
            error={errorOf("due_date")}
            {...register("due_date")}
          />
          <TextAreaField label="Notes" rows={2} error={errorOf("notes")} {...register("notes")} />
        </div>
      </Card>

      <Card
        title="Lines"
        description="Alt+↑ / Alt+↓ in a line moves it. Totals are computed by the invoice service as you type."
      >
        {errorOf("lines") ? (
          <p role="alert" className="mb-2 text-sm text-red-700">
            {errorOf("lines")}
          </p>
        ) : null}
        <ol className="flex flex-col gap-3">
          {fields.map((field, index) => {
            const totals = lineTotals.get(index);
            const line = values.lines[index];
            return (
              <li
                key={field.id}
                className="rounded-md border border-slate-200 p-3"
                aria-label={`Line ${index + 1}`}
                onKeyDown={(event) => {
                  if (!event.altKey) return;
                  if (event.key === "ArrowUp" || event.key === "ArrowDown") {
                    event.preventDefault();
                    const target = event.target as HTMLElement;
                    const suffix = target.id.replace(/^line-\d+-/, "");
                    moveLine(index, index + (event.key === "ArrowUp" ? -1 : 1), `line-{i}-${suffix}`);
                  }
                }}
              >
                <div className="grid grid-cols-2 gap-2 md:grid-cols-[minmax(12rem,3fr)_repeat(4,minmax(5rem,1fr))]">
                  <LineInput
                    id={`line-${index}-description`}
                    label="Description"
                    index={index}
                    error={errorOf(`lines.${index}.description`)}
                    className="col-span-2 md:col-span-1"
                    {...register(`lines.${index}.description`)}
                  />
                  <LineInput
                    id={`line-${index}-quantity`}
                    label="Quantity"
                    index={index}
                    inputMode="decimal"
                    error={errorOf(`lines.${index}.quantity`)}
                    {...register(`lines.${index}.quantity`)}
                  />
                  <LineInput
                    id={`line-${index}-unit_price`}
                    label="Unit price"
                    index={index}
                    inputMode="decimal"
                    error={errorOf(`lines.${index}.unit_price`)}
                    {...register(`lines.${index}.unit_price`)}
                  />
                  <LineInput
                    id={`line-${index}-discount_percent`}
                    label="Discount %"
                    index={index}
                    inputMode="decimal"
                    error={errorOf(`lines.${index}.discount_percent`)}
                    {...register(`lines.${index}.discount_percent`)}
                  />
                  <LineInput
                    id={`line-${index}-tax_rate`}
                    label="Tax %"
                    index={index}
                    inputMode="decimal"
                    error={errorOf(`lines.${index}.tax_rate`)}
                    {...register(`lines.${index}.tax_rate`)}
                  />
                </div>
                <div className="mt-2 flex flex-wrap items-center justify-between gap-2">
                  <p className="text-sm text-slate-700" aria-live="polite">
                    {totals ? (
                      <>
                        Net <span className="tabular-nums">{money(totals.net_amount)}</span> · Tax{" "}
                        <span className="tabular-nums">{money(totals.tax_amount)}</span> ·{" "}
                        <span className="font-medium">
                          Total <span className="tabular-nums">{money(totals.total)}</span>
                        </span>
                      </>
                    ) : line && !isBlank(line) && !isComplete(line) ? (
                      "Not counted until it has a description, quantity and unit price"
                    ) : (
                      " "
                    )}
                  </p>
                  <div className="flex gap-1">
                    <Button
                      id={`line-${index}-up`}
                      size="sm"
                      variant="ghost"
                      disabled={index === 0}
                      aria-label={`Move line ${index + 1} up`}
                      onClick={() => moveLine(index, index - 1, "line-{i}-up")}
                    >
                      ↑
                    </Button>
                    <Button
                      id={`line-${index}-down`}
                      size="sm"
                      variant="ghost"
                      disabled={index === fields.length - 1}
                      aria-label={`Move line ${index + 1} down`}
                      onClick={() => moveLine(index, index + 1, "line-{i}-down")}
                    >
                      ↓
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove line ${index + 1}`}
                      onClick={() => {
                        remove(index);
                        requestAnimationFrame(() =>
                          document.getElementById(`line-${Math.max(0, index - 1)}-description`)?.focus() ??
                            document.getElementById("add-line")?.focus(),
                        );
                      }}
                    >
                      Remove
                    </Button>
                  </div>
                </div>
              </li>
            );
          })}
        </ol>
        <Button
          id="add-line"
          variant="secondary"
          size="sm"
          className="mt-3"
          onClick={() => {
            const last = values.lines[values.lines.length - 1];
            append({ ...BLANK_LINE, tax_rate: last?.tax_rate || "0" });
          }}
        >
          Add line
        </Button>
      </Card>

      <Card title="Totals" description="As the invoice service computes and rounds them.">
        <TotalsPanel preview={preview} money={money} ready={canPreview} />
      </Card>

      <div className="flex flex-wrap justify-end gap-2">
        <Link
          href={editing ? `/invoices/${invoice.id}` : "/invoices"}
          className="inline-flex h-10 items-center rounded-md px-4 text-sm font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          Cancel
        </Link>
        <Button type="submit" variant="secondary" loading={saving === "draft"} disabled={isSubmitting || saving !== null}>
          {editing ? "Save draft" : "Save as draft"}
        </Button>
        <Button
          loading={saving === "issue"}
          disabled={isSubmitting || saving !== null}
          onClick={handleSubmit((formValues) => save(formValues, "issue"))}
        >
          Save and issue
        </Button>
      </div>
    </form>
  );
}

function TotalsPanel({
  preview,
  money,
  ready,
}: {
  preview: PreviewState;
  money: (amount: string | undefined) => string;
  ready: boolean;
}) {
  if (!ready) return <p className="text-sm text-slate-700">Choose a customer (or a currency) to see the totals.</p>;
  const shown = preview.state === "ready" ? preview.preview : preview.state === "idle" ? null : preview.last;
  return (
    <div className="flex flex-col gap-2" aria-busy={preview.state === "loading" || undefined}>
      {preview.state === "failed" ? (
        <Notice tone={preview.failure.status === 422 ? "warning" : "error"}>
          {preview.failure.status === 422
            ? "Fix the marked fields to see the totals."
            : `The totals cannot be computed right now: ${preview.failure.message}`}
        </Notice>
      ) : null}
      <dl
        className={cn(
          "grid max-w-sm grid-cols-2 gap-x-6 gap-y-1 text-sm",
          preview.state !== "ready" && "text-slate-600",
        )}
        aria-live="polite"
      >
        <dt>Subtotal</dt>
        <dd className="text-right tabular-nums">{money(shown?.subtotal)}</dd>
        <dt>Tax</dt>
        <dd className="text-right tabular-nums">{money(shown?.tax_total)}</dd>
        <dt className="font-semibold">Total</dt>
        <dd className="text-right font-semibold tabular-nums">{money(shown?.total)}</dd>
      </dl>
      {preview.state === "loading" ? <p className="text-xs text-slate-600">Updating…</p> : null}
    </div>
  );
}

interface LineInputProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: string;
  index: number;
  error?: string;
  ref?: Ref<HTMLInputElement>;
}

/** An input of a line: its label names the line ("Line 2 unit price"), its error sits under it. */
function LineInput({ id, label, index, error, className, ref, ...input }: LineInputProps) {
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <label htmlFor={id} className="text-xs font-medium text-slate-700">
        {label}
        <span className="sr-only"> of line {index + 1}</span>
      </label>
      <input
        ref={ref}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={cn(
          "h-9 rounded-md border bg-white px-2 text-sm text-slate-900",
          "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-600",
          error ? "border-red-600" : "border-slate-300",
        )}
        {...input}
      />
      {error ? (
        <p id={`${id}-error`} className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
